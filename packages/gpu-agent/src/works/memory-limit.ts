/**
 * A work's memory limit on a host (its CloudCompute `memoryMiB`), as the
 * process host applies it locally: V8's heap limit where the runtime is Node,
 * `--smol` on Bun, and, on every runtime, a watch on the process's resident
 * memory (Linux) that ends its process group once it is over the limit.
 */
import { readFileSync } from "node:fs";

/** The flags that give the runtime `command` a heap of `limitMiB`. */
export function memoryFlags(command: string, limitMiB: number | undefined): string[] {
  if (!limitMiB) return [];
  const name = command.split("/").pop() ?? "";
  if (name.startsWith("bun")) return ["--smol"];
  if (name.startsWith("node")) return [`--max-old-space-size=${Math.max(16, Math.floor(limitMiB))}`];
  return [];
}

/** Resident memory of `pid` in bytes (Linux); undefined where it cannot be read. */
export function residentBytes(pid: number): number | undefined {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]);
    return Number.isFinite(pages) ? pages * 4096 : undefined;
  } catch {
    return undefined;
  }
}

/** Calls `over(bytes)` once when `pid` uses more than `limitMiB`; returns what stops watching. */
export function watchMemory(pid: number, limitMiB: number, over: (bytes: number) => void): () => void {
  const timer = setInterval(() => {
    const rss = residentBytes(pid);
    if (rss !== undefined && rss > limitMiB * 2 ** 20) {
      clearInterval(timer);
      over(rss);
    }
  }, 50);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}

/** What a runtime prints when V8 runs out of heap. */
export const OUT_OF_MEMORY_TEXT = /out of memory|Reached heap limit|Allocation failed/i;
