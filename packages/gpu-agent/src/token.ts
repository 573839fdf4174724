/**
 * The agent's bearer token: 32 random bytes, base64url, in a 0600 file made
 * once and kept across restarts (the controller reads it over SSH).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmod, readFile } from "node:fs/promises";
import { writeFileAtomic } from "@lit-app/runtime";

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Reads the token at `file`, creating it (0600) when it is missing or not a token. */
export async function ensureToken(file: string): Promise<string> {
  const existing = await readFile(file, "utf8").then(
    (text) => text.trim(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    },
  );
  if (existing !== null && TOKEN_PATTERN.test(existing)) {
    await chmod(file, 0o600);
    return existing;
  }
  const token = randomBytes(32).toString("base64url");
  await writeFileAtomic(file, token + "\n", { mode: 0o600 });
  // the umask may have taken bits away, never added: this makes it exactly 0600
  await chmod(file, 0o600);
  return token;
}

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/** True when `given` is `token`, compared in constant time (over digests, so lengths leak nothing either). */
export function tokenMatches(given: string, token: string): boolean {
  return timingSafeEqual(digest(given), digest(token));
}
