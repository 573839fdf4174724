/** Worker threads on Node: `worker_threads` running one bundled JavaScript file, with a heap limit. */
import { Worker } from "node:worker_threads";
import { nodePort } from "../channel.ts";
import { userError } from "../worker/user-frames.ts";
import { useWorkerBundle } from "./node-bundle.ts";
import { holdForOwner } from "./worker-files.ts";
import type { SpawnOptions, WorkerExit, WorkerHandle } from "./worker-handle.ts";

/** Starts the work program for `options.appModule` in a Node worker thread. */
export async function spawnNodeWorker(options: SpawnOptions): Promise<WorkerHandle> {
  const bundle = await useWorkerBundle(options.appModule);
  let worker: Worker;
  try {
    worker = new Worker(new URL(bundle.url), {
      name: options.name,
      ...(options.heapLimitMb ? { resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb } } : {}),
    });
  } catch (error) {
    bundle.release();
    throw error;
  }
  if (options.owner) holdForOwner(options.owner, bundle.release);
  else worker.once("exit", () => bundle.release());
  let error: WorkerExit["error"];
  worker.on("error", (e: Error) => {
    // The user's frames of an error thrown outside run() (in a timer); none of Node's for out of memory.
    error = userError(e);
  });
  const listeners: ((exit: WorkerExit) => void)[] = [];
  worker.on("exit", (code: number) => {
    for (const l of listeners) l(error ? { code, error } : { code });
  });
  return {
    endpoint: nodePort(worker),
    onExit: (l) => listeners.push(l),
    terminate: async () => {
      await worker.terminate();
    },
  };
}
