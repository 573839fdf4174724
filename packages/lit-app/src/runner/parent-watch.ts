/**
 * A runtime process that `lit run --runtime <bun|deno|node>` started ends when
 * that lit process ends, even by `kill -9`: lit opens an IPC channel to it,
 * which the system closes when lit is gone. No timer, no polling.
 */
import process from "node:process";

/** Set by `lit run --runtime X` on the process it starts. */
export const RUNTIME_CHILD_ENV = "LIT_RUNTIME_CHILD";

/**
 * Calls `onGone` once the lit process that started this one has ended; does
 * nothing in a process that lit did not start that way. Returns a function
 * that stops watching.
 */
export function watchParent(onGone: () => void): () => void {
  if (process.env[RUNTIME_CHILD_ENV] !== "1" || typeof process.send !== "function") return () => undefined;
  // lit ended before this watch began (while the app loaded): Node and Deno have closed the channel and
  // will not tell again (Bun does).
  if (process.connected === false) {
    const gone = setTimeout(onGone, 0);
    return () => clearTimeout(gone);
  }
  // The channel's descriptor is this process's own: the programs that works start must not take it for theirs.
  delete process.env.NODE_CHANNEL_FD;
  delete process.env.NODE_CHANNEL_SERIALIZATION_MODE;
  const handler = () => onGone();
  process.once("disconnect", handler);
  // Watching the channel must not keep the process alive by itself.
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
  return () => void process.off("disconnect", handler);
}
