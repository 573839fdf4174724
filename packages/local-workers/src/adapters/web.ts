/** Worker threads on Bun and Deno: the Web `Worker`, which runs TypeScript itself. */
import type { PostEndpoint } from "../channel.ts";
import type { SpawnOptions, WorkerExit, WorkerHandle } from "./worker-handle.ts";

/** Starts `url` in a Web Worker (Bun, Deno). */
export function spawnWebWorker(url: URL, options: SpawnOptions): WorkerHandle {
  const worker = new Worker(url.href, { type: "module", name: options.name });
  const listeners: ((exit: WorkerExit) => void)[] = [];
  let ended = false;
  const end = (exit: WorkerExit) => {
    if (ended) return;
    ended = true;
    for (const l of listeners) l(exit);
  };
  worker.addEventListener("error", (event: ErrorEvent) => {
    event.preventDefault?.();
    end({ error: { name: "Error", message: event.message || "the worker thread failed" } });
  });
  // Bun reports a thread that ended (process.exit inside it) with a "close" event.
  worker.addEventListener("close", ((event: Event & { code?: number }) => {
    end({ code: event.code ?? 0 });
  }) as EventListener);
  return {
    endpoint: worker as unknown as PostEndpoint,
    onExit: (l) => listeners.push(l),
    terminate: async () => {
      ended = true;
      worker.terminate();
    },
  };
}
