/**
 * @lit-app/local-workers: runs each work of an app in its own worker thread
 * (Web `Worker` on Bun and Deno, `worker_threads` on Node), or in its own OS
 * process where asked (`isolation: "process"`), talking the work protocol over
 * one channel.
 */
export { WorkerProcessExecutor, WorkerThreadExecutor, type WorkerExecutorOptions } from "./executor.ts";
/** On Bun: the work program built for works' threads, when one is cached (what the executor's first threads run). */
export { cachedThreadProgram } from "./adapters/thread-program-cache.ts";
export type { FlowToWork, WorkToFlow } from "./protocol.ts";
export { nodePort, portChannel, type PostEndpoint, type WorkChannel } from "./channel.ts";
export { streamChannel, type StreamChannelOptions } from "./stream-channel.ts";
export { WorkLink, type WorkLinkHooks } from "./work-link.ts";
export { WorkProtocolError, type LocalWorkersErrorCode } from "./errors.ts";
/** For other executors of the work protocol (a host's agent): where a work created inside run() finds its class. */
export { findClassExport, classNotExported, type ClassExport } from "./work-class.ts";
export { RebuildableClasses } from "./rebuildable-classes.ts";
export { appModuleFiles } from "./app-modules.ts";
