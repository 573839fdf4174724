/**
 * The SSH key of a deployed app: made by `lit deploy` for the app, its
 * private half kept on the flow's host, its public half in the other hosts'
 * `~/.ssh/authorized_keys`, restricted to forwarding to that host's agent
 * (`restrict,port-forwarding,permitopen="127.0.0.1:<agent port>"`, and a
 * command that does nothing for a session) and marked `lit-app:<name>`, so
 * that `lit stop` (or a redeploy) removes exactly that line.
 */
import ssh2 from "ssh2";
import { exitText, type SshHost } from "@lit-app/ssh";

/** A new key pair of the app. */
export interface AppKey {
  /** OpenSSH private key. */
  privateKey: string;
  /** `ssh-ed25519 AAAA…` (without comment). */
  publicKey: string;
}

/** The comment that marks the app's line in authorized_keys. */
export const keyComment = (name: string) => `lit-app:${name}`;

/**
 * Makes an ed25519 key pair for the app `name`. ssh2's generator now and then
 * (about 1 in 300 on Node) writes a private key its own parser calls
 * malformed; such a pair is made again, so the flow's host can always read it.
 */
export function makeAppKey(name: string): AppKey {
  for (let attempt = 0; ; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: keyComment(name) });
    if (ssh2.utils.parseKey(pair.private) instanceof Error && attempt < 20) continue;
    const publicKey = pair.public.trim().split(/\s+/).slice(0, 2).join(" ");
    return { privateKey: pair.private, publicKey };
  }
}

/** The authorized_keys line that lets the app's key forward to `agentPort` on the host's loopback, and nothing else. */
export function authorizedKeyLine(key: AppKey, agentPort: number, name: string): string {
  return `restrict,port-forwarding,permitopen="127.0.0.1:${agentPort}",command="/bin/false" ${key.publicKey} ${keyComment(name)}`;
}

/** A shell command that rewrites authorized_keys without the app's line (and with `line` when given), atomically. */
function rewrite(name: string, line: string | undefined): string {
  const add = line === undefined ? "" : ` && printf '%s\\n' '${line.replace(/'/g, `'\\''`)}' >> "$t"`;
  return [
    "umask 077",
    'mkdir -p "$HOME/.ssh"',
    'f="$HOME/.ssh/authorized_keys"',
    't="$f.lit-app.$$"',
    'touch "$f"',
    `awk -v c='${keyComment(name)}' '$NF != c' "$f" > "$t"${add} && mv "$t" "$f"`,
  ].join("; ");
}

/** Puts the app's line in the host's authorized_keys (replacing an older one of the same app). */
export async function installAppKey(host: SshHost, line: string, name: string): Promise<void> {
  // The rewrite is the same each time: one whose exit status a loaded sshd dropped is run again.
  const result = await host.exec(rewrite(name, line), { idempotent: true });
  if (result.code !== 0) throw new Error(`${host.alias}: the app's key could not be added to ~/.ssh/authorized_keys: ${result.stderr.toString().trim() || exitText(result)}`);
}

/** Removes the app's line from the host's authorized_keys (nothing when there is none). */
export async function removeAppKey(host: SshHost, name: string): Promise<void> {
  const result = await host.exec(rewrite(name, undefined), { idempotent: true });
  if (result.code !== 0) throw new Error(`${host.alias}: the app's key could not be removed from ~/.ssh/authorized_keys: ${result.stderr.toString().trim() || exitText(result)}`);
}
