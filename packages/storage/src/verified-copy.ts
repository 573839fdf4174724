import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { readFile, writeAt } from "./streams.ts";

/** The sha256 of a file's bytes. */
export async function hashFileAt(path: string, signal?: AbortSignal): Promise<string> {
  const hasher = createHash("sha256");
  for await (const chunk of readFile(path, 0, signal)) hasher.update(chunk);
  return hasher.digest("hex");
}

/**
 * Copies `source` to `dest` (created or truncated), flushing it, and returns
 * whether the bytes copied hash to `hash`. Used when the source is a file of a
 * tree that could change at any time, unlike a blob.
 */
export async function copyVerified(source: string, dest: string, hash: string, signal?: AbortSignal): Promise<boolean> {
  const hasher = createHash("sha256");
  const fh = await open(dest, "w");
  try {
    let position = 0;
    for await (const chunk of readFile(source, 0, signal)) {
      await writeAt(fh, chunk, position);
      hasher.update(chunk);
      position += chunk.byteLength;
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
  return hasher.digest("hex") === hash;
}
