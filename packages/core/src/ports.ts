/**
 * The ports through which the core is driven. The core does no I/O and owns
 * no timers: a worker-thread executor, an agent on a remote host, or the
 * in-process test executor serve {@link WorkExecutor}; the system clock or a
 * fake clock serve {@link Clock} and {@link WakeScheduler}; each work's side
 * serves {@link StoragePort} (its files, Drives and Payloads).
 */
import type { DurableState, JournalRecord } from "./durable-state.ts";
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
  readonly compute: { name: string; diskSize: number; idleTimeout: number | null; shmSize: number; gpus: number; memoryMiB?: number };
  /** Where the work asked to run locally (its `isolation` option); unset: the executor's default. */
  readonly isolation?: "thread" | "process" | undefined;
  readonly parallel: boolean;
  readonly port: number | undefined;
  /** The options object passed to the work's constructor. */
  readonly constructorOptions: unknown;
  /** The work's public fields, encoded, as the flow sees them now. */
  state(): { [key: string]: JsonValue };
}

/** One call of a work's `run()`. */
export interface WorkCall {
  /** Unique across restarts of the flow (a random boot id and a counter); events name the call by it. */
  readonly id: string;
  /** The stable hash of the arguments. */
  readonly hash: string;
  /** Encoded arguments (decode with `decodeState`). */
  readonly args: JsonValue[];
  /** Changes the flow (or the UI) made to the work's fields since its last call; apply before running. */
  readonly delta: VarOp[];
}

/**
 * What an executor reports about the works it runs.
 *
 * Ordering: the events of one work arrive in the order the work made them.
 * A call's `started` comes before its deltas, and all the deltas of its
 * state changes come before its `succeeded` or `failed`; a work's log lines
 * come in the order it printed them. An executor whose transport can lose,
 * repeat or reorder messages (a network) restores this order before it
 * emits: it drops duplicates and events of an earlier incarnation of the
 * work, and after a gap it resyncs from a snapshot of the work's state.
 */
export type WorkEvent =
  | { type: "started"; work: string; callId: string }
  | { type: "succeeded"; work: string; callId: string }
  | { type: "failed"; work: string; callId: string; error: SerializedError }
  | { type: "delta"; work: string; ops: VarOp[] }
  /**
   * The work's thread or process has ended: its calls have failed. `host lost`:
   * its host stayed unreachable past the executor's limit.
   */
  | { type: "exited"; work: string; error: SerializedError; reason?: "out of memory" | "host lost" }
  /**
   * The link to the work is down (`lost`; the work may still be running) or
   * back (`restored`). Not a failure: the work's calls go on.
   */
  | { type: "connection"; work: string; state: "lost" | "restored"; message: string }
  /**
   * The work waits where it runs before its call can start (for a GPU on its
   * host): its status is `pending` with this reason, e.g. `waiting for a GPU on gpu-box`.
   */
  | { type: "waiting"; work: string; reason: string }
  /** Where the work runs: the name of its host (`gpu-box`) and the GPUs it holds there. Shown with the work. */
  | { type: "placed"; work: string; host: string; gpus?: string[] }
  | { type: "log"; work: string; stream: "stdout" | "stderr"; line: string }
  /**
   * What the executor needs to find the work again after the flow's process died and the app
   * resumed (the work's host and incarnation, say): kept in the app's journal and given back to
   * {@link WorkExecutor.reattach}. Emitted when it changes; JSON data, small.
   */
  | { type: "handle"; work: string; handle: JsonValue };

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
  /**
   * Whether a work of class `cls` created inside a flow's `run()` can be
   * rebuilt where this executor runs works: there it is made again from its
   * class, so the class must be found there (exported from a module of the
   * app). Asked at the `new` in the flow; the answer for a class must not
   * change.
   *
   * - `true`: it can.
   * - `false`: it cannot; the `new` throws a WorkClassError at the user's line.
   * - a Promise of the answer: not known yet (a look through the app's
   *   modules is under way); the pass ends at that `new` and the flow runs
   *   again once it settles. A rejected Promise counts as `true`: the work's
   *   side then says what it cannot find when the work starts.
   *
   * Without it every class can be rebuilt (an executor that runs the flow's
   * own instances, such as the in-process test executor).
   */
  canRebuild?(cls: Function): boolean | Promise<boolean>;
  /**
   * Re-adopts a work that an earlier run of the flow (a process that died)
   * started and that may still run where it runs (the agent of a host keeps
   * a work's process, its incarnation and its events). Asked once per work,
   * when the app resumes from a journal, for the work's calls that were
   * pending or running then (their ids as the earlier run sent them).
   * Resolves with the ids of those calls the work still has, running or
   * finished: the work is started as far as the engine is concerned, and
   * those calls' events (`started`, deltas, `succeeded`, `failed`) are
   * emitted as for any call, the ones it already had included. The others are
   * sent again when the flow makes them. Without it (or resolving `[]`) every
   * such call is sent again. `handle` is the work's last `handle` event, if any.
   */
  reattach?(work: WorkRef, calls: readonly { id: string; hash: string }[], handle: JsonValue | undefined): Promise<string[]>;
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

/**
 * Keeps an app's durable state where it survives the app's process (a file
 * on disk), so that the app can resume: see durable-state.ts. The engine
 * calls it from its loop; it must not throw for a failure to write (report
 * it instead: the app goes on without durability rather than fail).
 */
export interface StateJournal {
  /**
   * The state of an earlier run, or undefined for none (a fresh app). Called
   * once, when the app starts.
   * @throws JournalError when what is kept cannot be read (say which file and why).
   */
  load(): DurableState | undefined;
  /**
   * Appends the changes of one pass (or one event); may buffer them until {@link flush}. The
   * records and their values are the engine's own copies, never changed after: they may be kept
   * as they are until written.
   */
  append(records: readonly JournalRecord[]): void;
  /** Makes what was appended durable before returning (a call's result was recorded). */
  flush(): void;
  /** Whether the records appended since the last snapshot are worth folding into a new one. */
  snapshotDue(): boolean;
  /** Replaces everything kept with `state`, whole or not at all. */
  snapshot(state: DurableState): void;
  /** The app ended: writes what is buffered and releases the journal. */
  close(): void;
}

/** What an app engine is driven through. */
export interface EnginePorts {
  executor: WorkExecutor;
  clock: Clock & WakeScheduler;
  /** Where the app's durable state is kept; without it the app keeps none and always starts fresh. */
  journal?: StateJournal;
}

/** A Drive as the storage port sees it. */
export interface DriveSpec {
  /** The Drive's name, without `lit://`. */
  readonly id: string;
  /** Whether two works may put the same name. */
  readonly allowDuplicates: boolean;
}

/**
 * The files of works: where a work's Paths live, and how a file or folder of
 * one work is made present where another work runs. Served on each work's
 * side: by `@lit-app/local-workers` (storage roots on this machine) and by
 * the agent on remote hosts (the same roots, files fetched over HTTP). Work
 * names are dotted names (`root.train`); paths are relative, `/`-separated,
 * already checked (no `..`, not absolute).
 */
export interface StoragePort {
  /** The absolute local path of `path` in `work`'s storage root; the root folder is made if missing. */
  localPath(work: string, path: string): string;
  /** Whether a file or folder is at `path` in `work`'s storage root on this machine, now. */
  exists(work: string, path: string): boolean;
  /**
   * Makes the file or folder `path.path` of `path.origin`'s root present (and
   * up to date) in `intoWork`'s root: only what changed is copied, verified,
   * each file whole or not at all.
   * @throws MissingPathError when the origin's root has no such path.
   */
  materialize(path: { readonly path: string; readonly origin: string }, intoWork: string): Promise<void>;
  /** Writes a Payload's bytes in `work`'s storage, whole, before returning; returns their id (sha256, hex). */
  savePayload(work: string, bytes: Uint8Array): string;
  /** The bytes of a Payload `origin` saved, fetched into `intoWork`'s storage first when they are elsewhere. */
  loadPayload(payload: { readonly hash: string; readonly origin: string }, intoWork: string): Promise<Uint8Array>;
  /**
   * Copies `path` of `work`'s root into the Drive, under `work`'s name.
   * @throws DriveConflictError when another work put the same name and the Drive does not allow duplicates.
   */
  drivePut(drive: DriveSpec, work: string, path: string): Promise<void>;
  /**
   * Copies `path` from the Drive into `work`'s root, from the work that put it
   * (or from `from`). @throws DriveNotFoundError when no work put it, or several did and `from` is not given.
   */
  driveGet(drive: DriveSpec, work: string, path: string, from: string | undefined): Promise<void>;
  /** The files in the Drive whose names start with `prefix` (put by any work, or by `from`), sorted. */
  driveList(drive: DriveSpec, prefix: string, from: string | undefined): Promise<string[]>;
  /**
   * Removes `path` that `work` put. @throws DriveOwnershipError when another work put it,
   * DriveNotFoundError when no work did.
   */
  driveDelete(drive: DriveSpec, work: string, path: string): Promise<void>;
}
