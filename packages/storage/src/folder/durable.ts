import { execFile } from "node:child_process";
import { open } from "node:fs/promises";
import { eachLimited } from "../pool.ts";

/** How long the file system's flush may take before the per-file flush is used instead. */
const SYNCFS_TIMEOUT_MS = 120_000;

/**
 * Makes files written without a flush durable at once: on Linux one
 * `syncfs` of their file system (`sync -f`), which costs about as much as one
 * `fsync` where thousands of them would stall each other's writes; elsewhere,
 * or without `sync -f`, each file and folder is flushed, many at a time.
 */
export async function makeDurable(anyPath: string, paths: () => readonly string[]): Promise<void> {
  if (process.platform === "linux" && (await syncFileSystem(anyPath))) return;
  await eachLimited(paths(), 32, async (path) => {
    const fh = await open(path, "r");
    try {
      await fh.sync();
    } catch {
      // a folder some systems refuse to flush: its entries' renames stay atomic
    } finally {
      await fh.close();
    }
  });
}

/** `syncfs` of the file system holding `path`; whether it ran. */
function syncFileSystem(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile("sync", ["-f", path], { timeout: SYNCFS_TIMEOUT_MS }, (err) => resolve(!err));
  });
}
