/**
 * The `~` and `%` tokens of ssh_config(5) in paths such as IdentityFile and
 * UserKnownHostsFile: `%d` local home, `%u` local user, `%h` remote host name,
 * `%r` remote user, `%p` port, `%n` the alias as typed, `%l` this machine's
 * short host name, `%%` a percent sign.
 */
import { hostname } from "node:os";
import { join } from "node:path";

/** The values the tokens stand for. */
export interface TokenValues {
  home: string;
  localUser: string;
  hostName: string;
  remoteUser: string;
  port: number;
  alias: string;
}

/** `value` with its tokens replaced; an unknown `%x` is an error (the caller names the file and line). */
export function expandTokens(value: string, t: TokenValues): string {
  const withTilde = value === "~" ? t.home : value.startsWith("~/") ? join(t.home, value.slice(2)) : value;
  return withTilde.replace(/%(.)/g, (_, c: string) => {
    switch (c) {
      case "%":
        return "%";
      case "d":
        return t.home;
      case "u":
        return t.localUser;
      case "h":
        return t.hostName;
      case "r":
        return t.remoteUser;
      case "p":
        return String(t.port);
      case "n":
        return t.alias;
      case "l":
        return hostname().split(".")[0] ?? "";
      default:
        throw new Error(`unsupported token %${c} (supported: %d %u %h %r %p %n %l %%)`);
    }
  });
}
