/** Starts a worker thread with the adapter for this runtime. */
import { runtimeKind } from "@lit-app/runtime";
import type { SpawnOptions, WorkerHandle } from "./worker-handle.ts";

/** Starts `url` in a worker thread of this runtime. */
export async function spawnWorker(url: URL, options: SpawnOptions): Promise<WorkerHandle> {
  if (runtimeKind() === "node") return (await import("./node.ts")).spawnNodeWorker(options);
  return (await import("./web.ts")).spawnWebWorker(url, options);
}
