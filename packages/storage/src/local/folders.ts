/**
 * Small file-system helpers of local storage: listing a tree, removing folders
 * that hold nothing. (Writing a file whole or not at all is `@lit-app/runtime`'s
 * `writeFileAtomicSync`.)
 */
import { readdirSync, rmdirSync } from "node:fs";
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

const errno = (error: unknown) => (error as { code?: unknown } | null)?.code;

/**
 * Removes `dir` if no file is in it, nor in any folder below it (those empty
 * folders go too); stops looking at the first file. Whether `dir` is gone.
 * Links count as files and are not followed.
 */
export function removeIfNoFiles(dir: string): boolean {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    return errno(error) === "ENOENT";
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || !removeIfNoFiles(join(dir, entry.name))) return false;
  }
  return removeEmptyDirs([dir]);
}

/**
 * Removes each folder of `dirs` in turn while it is empty (one already gone
 * counts as removed); stops at the first that holds something. Whether all are gone.
 */
export function removeEmptyDirs(dirs: readonly string[]): boolean {
  for (const dir of dirs) {
    try {
      rmdirSync(dir);
    } catch (error) {
      if (errno(error) !== "ENOENT") return false;
    }
  }
  return true;
}
