/**
 * @lit-app/local-workers: runs each work of an app in its own worker thread
 * (Web `Worker` on Bun and Deno, `worker_threads` on Node), over comlink.
 */
export { WorkerThreadExecutor, type WorkerExecutorOptions } from "./executor.ts";
export type { FlowToWork, WorkToFlow, WorkerApi } from "./protocol.ts";
