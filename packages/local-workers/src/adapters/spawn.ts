/** Starts a worker thread with the adapter for this runtime, or through the thread that hosts this one's works. */
import { runtimeKind } from "@lit-app/runtime";
import type { SpawnOptions, WorkerHandle } from "./worker-handle.ts";

/** Starts the thread of a work: what {@link WORK_THREAD_SPAWNER} holds. */
export type SpawnWork = (url: URL, options: SpawnOptions) => Promise<WorkerHandle>;

/**
 * Where a thread that should not start works' threads itself (lit-app's app
 * thread on Deno, where a worker started by a worker takes half a second to
 * start) puts the function that has another thread start them.
 */
export const WORK_THREAD_SPAWNER = Symbol.for("lit-app.workThreadSpawner");

/** Starts `url` in a worker thread of this runtime. */
export async function spawnWorker(url: URL, options: SpawnOptions): Promise<WorkerHandle> {
  const host = (globalThis as Record<symbol, unknown>)[WORK_THREAD_SPAWNER] as SpawnWork | undefined;
  if (host) return host(url, options);
  if (runtimeKind() === "node") return (await import("./node.ts")).spawnNodeWorker(options);
  return (await import("./web.ts")).spawnWebWorker(url, options);
}
