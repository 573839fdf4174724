/**
 * `lit deploy --public [--token T]`: the deployed app's server listens on
 * every address of its flow host (0.0.0.0) and every request must carry the
 * token. Without `--public` it listens on the host's loopback only and
 * `lit ui` is the way in. The token is kept on the flow host in the app's
 * folder (`~/.lit/deployed/<name>/token`, 0600), where `lit ui` and
 * `lit status` read it over SSH.
 */
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { exitText, shellQuote, type SshHost } from "@lit-app/ssh";
import { UsageError } from "../cli/errors.ts";

/** The token's file in the app's folder on its flow host. */
export const PUBLIC_TOKEN_FILE = "token";

/** The address a public app server listens on. */
export const PUBLIC_LISTEN = "0.0.0.0";

/** The app server options of `lit deploy`: none (loopback), or `--public`'s address and token (generated when not given). */
export function publicServerOptions(flags: { public?: boolean; token?: string }): { listen: string; token: string } | Record<string, never> {
  if (flags.token !== undefined && !flags.public) {
    throw new UsageError("lit deploy: --token is for a public app server: add --public (without it the app listens on its host's loopback, and lit ui reaches it).");
  }
  if (!flags.public) return {};
  const token = flags.token ?? randomBytes(24).toString("base64url");
  if (token.length < 16 || token.length > 512 || !/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError("lit deploy: --token takes 16 to 512 printable characters without spaces; leave it out to have one generated.");
  }
  return { listen: PUBLIC_LISTEN, token };
}

/**
 * The token of a deployed app's public server, read on its flow host beside its log
 * (`log` as the agent reports it); undefined when the app listens on loopback only.
 */
export async function readPublicToken(host: SshHost, log: string): Promise<string | undefined> {
  const file = posix.join(posix.dirname(log), PUBLIC_TOKEN_FILE);
  // The last line tells the command ran to its end: a loaded sshd may drop the exit status of a command that did.
  const read = await host.exec(`if [ -f ${shellQuote(file)} ]; then cat ${shellQuote(file)}; fi && echo '#read'`, { maxOutputBytes: 4096 });
  const out = read.stdout.trimEnd();
  if (!out.endsWith("#read")) throw new Error(`${host.alias}: reading ${file} failed: ${read.stderr.trim() || exitText(read)}`);
  const token = out.slice(0, -"#read".length).trim();
  return token === "" ? undefined : token;
}
