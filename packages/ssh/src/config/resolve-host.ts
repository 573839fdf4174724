/**
 * What `~/.ssh/config` says about one host alias: where to connect, as whom,
 * with which keys, through which jump hosts, and which known_hosts files to
 * check, as `ssh <alias>` would read it.
 */
import { userInfo } from "node:os";
import { isAbsolute, join } from "node:path";
import { SshConfigError } from "../errors.ts";
import { localUserName } from "./local-user.ts";
import { type LoadedConfig, loadSshConfig, originOf } from "./load-config.ts";
import { expandTokens, type TokenValues } from "./tokens.ts";

/** One hop of a ProxyJump list: `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
export interface JumpSpec {
  host: string;
  user?: string;
  port?: number;
}

/** A host alias resolved through `~/.ssh/config`. */
export interface ResolvedHost {
  /** The name the user gave (`gpu-box`). */
  alias: string;
  /** HostName, or the alias itself. */
  hostName: string;
  port: number;
  user: string;
  /** IdentityFile entries, expanded (`~`, `%d`, `%u`, `%h`, `%r`...); empty when none is set. */
  identityFiles: string[];
  /** IdentitiesOnly yes: offer only the IdentityFile keys, also from the agent. */
  identitiesOnly: boolean;
  /** The agent's socket: IdentityAgent, else `$SSH_AUTH_SOCK`; undefined when there is none or it is `none`. */
  agentSocket: string | undefined;
  /** ProxyJump hops in order (empty when none, or `none`). */
  proxyJump: JumpSpec[];
  /** UserKnownHostsFile entries, expanded (default `~/.ssh/known_hosts`, `~/.ssh/known_hosts2`). */
  userKnownHostsFiles: string[];
  /** GlobalKnownHostsFile entries (default `/etc/ssh/ssh_known_hosts`, `/etc/ssh/ssh_known_hosts2`). */
  globalKnownHostsFiles: string[];
  /** HostKeyAlias: the name the host key is looked up under instead of the host name. */
  hostKeyAlias: string | undefined;
  /** ConnectTimeout in milliseconds, when set. */
  connectTimeoutMs: number | undefined;
  /** ServerAliveInterval in milliseconds, when set (0 = off). */
  serverAliveIntervalMs: number | undefined;
  serverAliveCountMax: number | undefined;
  /** The local home folder the config was read from. */
  home: string;
}

/** Options of {@link resolveHost}. */
export interface ResolveHostOptions {
  /** The environment to read HOME and SSH_AUTH_SOCK from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** A config already loaded (to resolve several aliases from one read). */
  loaded?: LoadedConfig;
}

type Computed = Record<string, string | string[]>;

const first = (c: Computed, key: string): string | undefined => {
  const v = c[key];
  return Array.isArray(v) ? v[0] : v;
};
const all = (c: Computed, key: string): string[] | undefined => {
  const v = c[key];
  return v === undefined ? undefined : Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean);
};

function integer(loaded: LoadedConfig, keyword: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max)) {
    const at = originOf(loaded, keyword, value);
    throw new SshConfigError(at.file, at.line, `${keyword} ${JSON.stringify(value)} is not a whole number from ${min} to ${max}.`);
  }
  return n;
}

/** Parses a ProxyJump value: `none`, or hops separated by commas. */
export function parseProxyJump(value: string | undefined): JumpSpec[] | Error {
  if (value === undefined || value.toLowerCase() === "none") return [];
  const hops: JumpSpec[] = [];
  for (const raw of value.split(",")) {
    const hop = raw.trim().replace(/^ssh:\/\//, "");
    const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/.exec(hop);
    if (m === null) return new Error(`ProxyJump hop ${JSON.stringify(raw)} is not [user@]host[:port]`);
    const port = m[3] === undefined ? undefined : Number(m[3]);
    if (port !== undefined && !(port >= 1 && port <= 65535)) return new Error(`ProxyJump hop ${JSON.stringify(raw)} has port ${m[3]} out of range`);
    hops.push({ host: m[2]!.replace(/^\[|\]$/g, ""), ...(m[1] === undefined ? {} : { user: m[1] }), ...(port === undefined ? {} : { port }) });
  }
  return hops;
}

/**
 * Resolves `alias` through `$HOME/.ssh/config` (and its Includes), as `ssh`
 * does: the first value of each keyword wins, Host patterns with `*`, `?`
 * and `!` match, `Match exec` is never run.
 *
 * @example
 * const h = resolveHost("gpu-box"); // { hostName: "10.0.0.7", port: 22, user: "me", ... }
 */
export function resolveHost(alias: string, options: ResolveHostOptions = {}): ResolvedHost {
  const env = options.env ?? process.env;
  const home = env.HOME ?? userInfo().homedir;
  const loaded = options.loaded ?? loadSshConfig(home);
  let c: Computed;
  try {
    c = loaded.config.compute(alias, { ignoreCase: true, matchExec: false });
  } catch (cause) {
    throw new SshConfigError(loaded.file, undefined, `cannot evaluate the config for ${JSON.stringify(alias)}: ${(cause as Error).message}`, { cause });
  }
  const localUser = localUserName(env);
  const port = integer(loaded, "Port", first(c, "port"), 1, 65535) ?? 22;
  const user = first(c, "user") ?? localUser;
  const tokens: TokenValues = { home, localUser, hostName: alias, remoteUser: user, port, alias };
  const expand = (keyword: string, value: string): string => {
    try {
      return expandTokens(value, tokens);
    } catch (cause) {
      const at = originOf(loaded, keyword, value);
      throw new SshConfigError(at.file, at.line, `${keyword} ${JSON.stringify(value)}: ${(cause as Error).message}`, { cause });
    }
  };
  const hostName = expand("HostName", first(c, "hostname") ?? alias);
  tokens.hostName = hostName;
  const path = (keyword: string, value: string): string => {
    const p = expand(keyword, value);
    return isAbsolute(p) ? p : join(home, p);
  };

  const proxyJump = parseProxyJump(first(c, "proxyjump"));
  if (proxyJump instanceof Error) {
    const at = originOf(loaded, "ProxyJump");
    throw new SshConfigError(at.file, at.line, `${proxyJump.message}.`);
  }
  const identityAgent = first(c, "identityagent");
  const agentSocket =
    identityAgent === undefined || identityAgent === "SSH_AUTH_SOCK"
      ? env.SSH_AUTH_SOCK || undefined
      : identityAgent.toLowerCase() === "none"
        ? undefined
        : identityAgent.startsWith("$")
          ? env[identityAgent.slice(1)] || undefined
          : path("IdentityAgent", identityAgent);
  const seconds = (keyword: string, value: string | undefined, min: number) => {
    const n = integer(loaded, keyword, value, min, 86_400);
    return n === undefined ? undefined : n * 1000;
  };
  return {
    alias,
    hostName,
    port,
    user,
    identityFiles: (all(c, "identityfile") ?? []).filter((f) => f.toLowerCase() !== "none").map((f) => path("IdentityFile", f)),
    identitiesOnly: first(c, "identitiesonly")?.toLowerCase() === "yes",
    agentSocket,
    proxyJump,
    userKnownHostsFiles: (all(c, "userknownhostsfile") ?? ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"])
      .filter((f) => f.toLowerCase() !== "none")
      .map((f) => path("UserKnownHostsFile", f)),
    globalKnownHostsFiles: (all(c, "globalknownhostsfile") ?? ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]).filter(
      (f) => f.toLowerCase() !== "none",
    ),
    hostKeyAlias: first(c, "hostkeyalias"),
    connectTimeoutMs: seconds("ConnectTimeout", first(c, "connecttimeout"), 1),
    serverAliveIntervalMs: seconds("ServerAliveInterval", first(c, "serveraliveinterval"), 0),
    serverAliveCountMax: integer(loaded, "ServerAliveCountMax", first(c, "serveralivecountmax"), 0, 1000),
    home,
  };
}
