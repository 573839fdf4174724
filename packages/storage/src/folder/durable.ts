import { execFile } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { open } from "node:fs/promises";

/** How long the file system's flush runs alone before the files are also flushed one by one. */
const SYNCFS_HEAD_START_MS = 1500;

/** Files flushed at once when they are flushed one by one. */
const FSYNC_CONCURRENCY = 32;

/**
 * Makes files written without a flush durable at once. On Linux one `syncfs`
 * of their file system (`sync -f`) costs about as much as one `fsync`, where
 * thousands of them stall each other's writes; but it also flushes what other
 * programs wrote there, which on a busy host can take long: past a head
 * start the files (and folders) are also flushed one by one, many at a time,
 * and whichever ends first ends the wait. Elsewhere, or without `sync -f`,
 * only one by one.
 */
export async function makeDurable(anyPath: string, paths: () => readonly string[]): Promise<void> {
  const whole = process.platform === "linux" ? syncFileSystem(anyPath) : undefined;
  if (whole) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const headStart = new Promise<"slow">((resolve) => (timer = setTimeout(() => resolve("slow"), SYNCFS_HEAD_START_MS)));
    const first = await Promise.race([whole.done, headStart]);
    clearTimeout(timer);
    if (first === true) return;
  }
  const stop = { stopped: false };
  const each = flushEach(paths(), stop);
  if (!whole) return each;
  try {
    await Promise.race([each, whole.done.then((ok) => (ok ? undefined : each))]);
  } finally {
    stop.stopped = true;
    whole.kill();
  }
}

/** Flushes each path (a folder some systems refuse to flush is left as it is), until `stop.stopped`. */
async function flushEach(paths: readonly string[], stop: { stopped: boolean }): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (!stop.stopped && next < paths.length) {
      const fh = await open(paths[next++]!, "r");
      try {
        await fh.sync();
      } catch {
        // a folder that cannot be flushed here: renames into it stay atomic
      } finally {
        await fh.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FSYNC_CONCURRENCY, paths.length) }, worker));
}

/** `syncfs` of the file system holding `path` in a `sync -f` process: whether it ran, and how to stop it. */
function syncFileSystem(path: string): { done: Promise<boolean>; kill: () => void } {
  let child: ChildProcess | undefined;
  let ended = false;
  const done = new Promise<boolean>((resolve) => {
    child = execFile("sync", ["-f", path], (err) => {
      ended = true;
      resolve(!err);
    });
  });
  return { done, kill: () => void (!ended && child?.kill()) };
}
