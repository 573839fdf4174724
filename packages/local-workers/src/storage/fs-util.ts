/** Small file-system helpers of local storage: listing a tree, writing a file whole or not at all. */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/**
 * The files (not folders) under `dir`, as `/`-separated names relative to it;
 * `[""]` when `dir` is a file itself, none when it is missing.
 */
export async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st) return [];
  if (!st.isDirectory()) return [prefix];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), name)));
    else out.push(name);
  }
  return out;
}

/** Writes `bytes` to `file` whole or not at all: a temp name beside it, flushed, then renamed. */
export function writeFileAtomicSync(file: string, bytes: Uint8Array): void {
  const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o644);
  try {
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  renameSync(temp, file);
}
