import { open, unlink } from "node:fs/promises";
import { isErrno } from "./errors.ts";

/**
 * Flushes a directory so that renames into it survive a crash. Best effort:
 * some systems refuse to open or flush directories, and then there is
 * nothing more to do.
 */
export async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch {
    // not supported here; the rename is still atomic, only its durability is weaker
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** Flushes a file's data to disk. */
export async function syncFile(path: string): Promise<void> {
  const fh = await open(path, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Removes a file if it is there. */
export async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
  }
}
