/** The sha256 of the bundle this code runs from (null when it runs from source). */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** Hashes `moduleUrl`'s file when it is a bundle (`.mjs`/`.js`), as buildAgentBundle() hashes the same bytes. */
export async function bundleHashOf(moduleUrl: string): Promise<string | undefined> {
  if (!moduleUrl.startsWith("file:") || !/\.m?js$/.test(moduleUrl)) return undefined;
  const bytes = await readFile(fileURLToPath(moduleUrl));
  return createHash("sha256").update(bytes).digest("hex");
}
