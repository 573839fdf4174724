/**
 * The ports through which the core is driven. The core does no I/O and owns
 * no timers: a worker-thread executor, an agent on a remote host, or the
 * in-process test executor serve {@link WorkExecutor}; the system clock or a
 * fake clock serve {@link Clock} and {@link WakeScheduler}.
 */
import type { SerializedError } from "./errors.ts";
import type { JsonValue } from "./state-value.ts";
import type { VarOp } from "./var-ops.ts";
import type { LightningWork } from "./work.ts";

/** Everything an executor needs to know about one work. */
export interface WorkRef {
  /** Dotted name: `root.workA`. */
  readonly name: string;
  /** The work's class name, used to rebuild it from the app module. */
  readonly className: string;
  /** The flow-side instance. In-process executors run it; others rebuild the work elsewhere. */
  readonly work: LightningWork;
  readonly compute: { name: string; diskSize: number; idleTimeout: number | null; shmSize: number; gpus: number };
  readonly parallel: boolean;
  readonly port: number | undefined;
  /** The options object passed to the work's constructor. */
  readonly constructorOptions: unknown;
  /** The work's public fields, encoded, as the flow sees them now. */
  state(): { [key: string]: JsonValue };
}

/** One call of a work's `run()`. */
export interface WorkCall {
  /** Unique per process; events name the call by it. */
  readonly id: number;
  /** The stable hash of the arguments. */
  readonly hash: string;
  /** Encoded arguments (decode with `decodeState`). */
  readonly args: JsonValue[];
  /** Changes the flow (or the UI) made to the work's fields since its last call; apply before running. */
  readonly delta: VarOp[];
}

/** What an executor reports about the works it runs. */
export type WorkEvent =
  | { type: "started"; work: string; callId: number }
  | { type: "succeeded"; work: string; callId: number }
  | { type: "failed"; work: string; callId: number; error: SerializedError }
  | { type: "delta"; work: string; ops: VarOp[] }
  | { type: "exited"; work: string; error: SerializedError }
  | { type: "log"; work: string; stream: "stdout" | "stderr"; line: string };

/**
 * Runs works somewhere: in this thread, in worker threads, on remote hosts.
 * Calls to one work run one at a time, in the order they were given.
 */
export interface WorkExecutor {
  /** Called once, before anything else, with the function to report events to. */
  bind(emit: (event: WorkEvent) => void): void;
  /**
   * Starts the thread or process for a work. Reads `work.state()` before it
   * returns: later changes to the work's fields arrive as call deltas.
   * Calls may be given before it resolves.
   */
  start(work: WorkRef): Promise<void>;
  /** Runs one call of the work's `run()`; its progress is reported as events. */
  call(work: WorkRef, call: WorkCall): void;
  /** Ends the work's thread or process and what it started; later events of it are ignored. */
  stop(work: WorkRef): Promise<void>;
  /** Ends every work; the app is over. */
  close(): Promise<void>;
}

/** Tells the time. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Wakes the run loop up. */
export interface WakeScheduler {
  /** Calls `fn` once at `time` (epoch ms) or soon after; returns a function that cancels it. */
  at(time: number, fn: () => void): () => void;
  /** Calls `fn` soon, after the current task (never synchronously). */
  soon(fn: () => void): void;
}

/** What an app runtime is driven through. */
export interface RuntimePorts {
  executor: WorkExecutor;
  clock: Clock & WakeScheduler;
}
