/** What the executor needs from a worker thread, whatever the runtime. */
import type { PostEndpoint } from "../channel.ts";

/** How a worker thread ended. */
export interface WorkerExit {
  /** Exit code, when the runtime reports one. */
  code?: number;
  /** The error that ended it, when there was one (uncaught error, out of memory). */
  error?: { name: string; message: string; stack?: string };
}

/** Options for starting a worker thread. */
export interface SpawnOptions {
  /** Thread name, shown in debuggers: the work's dotted name. */
  name: string;
  /** URL of the app's module (Node bundles it with the worker program). */
  appModule: string;
  /** Heap limit in MB, where the runtime allows one (Node). */
  heapLimitMb?: number;
  /**
   * Who started the thread (its executor): the files the thread needs are kept until it calls
   * `releaseWorkerFiles(owner)`. Without one, they are released when the thread has ended.
   */
  owner?: object;
}

/** A started worker thread. */
export interface WorkerHandle {
  /** The thread's port: the work's channel runs over it (see `portChannel`). */
  readonly endpoint: PostEndpoint;
  /** Calls `listener` once when the thread has ended, for whatever reason. */
  onExit(listener: (exit: WorkerExit) => void): void;
  /** Ends the thread. */
  terminate(): Promise<void>;
}
