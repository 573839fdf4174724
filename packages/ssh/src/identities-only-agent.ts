/**
 * ssh-agent restricted to some keys, for `IdentitiesOnly yes`: the agent
 * offers only the keys whose public half matches an IdentityFile (its `.pub`
 * file, or the private key itself when it is not encrypted), as `ssh` does.
 */
import { readFileSync } from "node:fs";
import ssh2 from "ssh2";
import type { ParsedKey } from "ssh2";

/** The public key blobs of `files` (via `<file>.pub`, else the unencrypted private key). */
export function publicBlobsOf(files: readonly string[]): Buffer[] {
  const blobs: Buffer[] = [];
  for (const file of files) {
    for (const candidate of [`${file}.pub`, file]) {
      let parsed: ReturnType<typeof ssh2.utils.parseKey>;
      try {
        parsed = ssh2.utils.parseKey(readFileSync(candidate));
      } catch {
        continue;
      }
      const key = Array.isArray(parsed) ? parsed[0] : parsed;
      if (key === undefined || key instanceof Error) continue;
      blobs.push(key.getPublicSSH());
      break;
    }
  }
  return blobs;
}

/** An OpenSSH agent that lists only the identities whose public key is in `allowed`. */
export class IdentitiesOnlyAgent extends ssh2.OpenSSHAgent {
  readonly #allowed: Buffer[];
  constructor(socketPath: string, allowed: Buffer[]) {
    super(socketPath);
    this.#allowed = allowed;
  }

  override getIdentities(cb: Parameters<ssh2.OpenSSHAgent["getIdentities"]>[0]): void {
    super.getIdentities((err, keys) => {
      if (err !== undefined && err !== null) return cb(err);
      const isParsed = (k: unknown): k is ParsedKey => typeof (k as ParsedKey).getPublicSSH === "function";
      cb(undefined, (keys ?? []).filter(isParsed).filter((k) => this.#allowed.some((b) => b.equals(k.getPublicSSH()))));
    });
  }
}
