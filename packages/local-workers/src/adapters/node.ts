/** Worker threads on Node: `worker_threads` running one bundled JavaScript file, with a heap limit. */
import { Worker } from "node:worker_threads";
import { nodeEndpoint } from "../comlink.ts";
import { workerBundle } from "./node-bundle.ts";
import type { SpawnOptions, WorkerExit, WorkerHandle } from "./worker-handle.ts";

/** Starts the work program for `options.appModule` in a Node worker thread. */
export async function spawnNodeWorker(options: SpawnOptions): Promise<WorkerHandle> {
  const program = new URL(await workerBundle(options.appModule));
  const worker = new Worker(program, {
    name: options.name,
    ...(options.heapLimitMb ? { resourceLimits: { maxOldGenerationSizeMb: options.heapLimitMb } } : {}),
  });
  let error: WorkerExit["error"];
  worker.on("error", (e: Error) => {
    error = { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  });
  const listeners: ((exit: WorkerExit) => void)[] = [];
  worker.on("exit", (code: number) => {
    for (const l of listeners) l(error ? { code, error } : { code });
  });
  return {
    endpoint: nodeEndpoint(worker),
    onExit: (l) => listeners.push(l),
    terminate: async () => {
      await worker.terminate();
    },
  };
}
