/** Worker threads on Node: `worker_threads`, with TypeScript loaded by tsx and a heap limit. */
import { Worker } from "node:worker_threads";
import { nodeEndpoint } from "../comlink.ts";
import type { SpawnOptions, WorkerExit, WorkerHandle } from "./worker-handle.ts";

/** Starts `url` in a Node worker thread; a `.ts` program is started through its `node-entry.mjs`. */
export function spawnNodeWorker(url: URL, options: SpawnOptions): WorkerHandle {
  const program = url.pathname.endsWith("/entry.ts") ? new URL("./node-entry.mjs", url) : url;
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
