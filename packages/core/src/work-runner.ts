/**
 * The one place a work's calls are run, wherever the work runs (in the
 * flow's thread for tests, in a worker thread, in a child process): calls
 * are queued and run one at a time, in order; each is reported `started`,
 * then run (its delta applied, its arguments decoded, the Paths it receives
 * made present, the user's `run()` awaited), then reported `succeeded` or
 * `failed`, after the state changes it made (see {@link WorkRunnerOptions.flush}).
 */
import { serializeError, type SerializedError } from "./errors.ts";
import type { JsonValue } from "./state-value.ts";
import type { VarOp } from "./var-ops.ts";

/** One call as the runner receives it. */
export interface RunnerCall {
  readonly callId: string;
  /** Encoded arguments. */
  readonly args: readonly JsonValue[];
  /** The flow's changes to the work's fields since its last call; applied before it runs. */
  readonly delta: readonly VarOp[];
}

/** What the runner reports about a call. */
export type RunnerReport =
  | { type: "started"; callId: string }
  | { type: "succeeded"; callId: string }
  | { type: "failed"; callId: string; error: SerializedError };

/** The work a runner runs: its fields and its `run()` (a {@link LoadedWork}, or the flow's own instance). */
export interface RunnableWork {
  /** Applies the flow's changes to the work's fields. */
  applyOps(ops: readonly VarOp[]): void;
  /** Decodes the arguments, makes the Paths among them present and runs the user's `run()`. */
  run(args: readonly JsonValue[]): Promise<unknown>;
}

/** Options of a {@link WorkRunner}. */
export interface WorkRunnerOptions {
  work: RunnableWork;
  /** Receives each report, in order. */
  report(report: RunnerReport): void;
  /** Sends the state changes made so far, before a result is reported: a call's deltas come before its result. */
  flush?(): void;
  /** How a thrown value is described to the flow. Default: the core's `serializeError`. */
  describeError?(error: unknown): SerializedError;
}

/** How many of the latest call ids a runner remembers, to run a re-sent call once. */
const REMEMBERED_CALLS = 1000;

/** Runs one work's calls, one at a time, in the order they were pushed; a call pushed again is ignored. */
export class WorkRunner {
  private readonly queue: RunnerCall[] = [];
  /** The ids of the latest calls pushed: a link that re-sends (after a reconnect) must not run one twice. */
  private readonly seen = new Set<string>();
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly options: WorkRunnerOptions;

  constructor(options: WorkRunnerOptions) {
    this.options = options;
  }

  /** Queues a call; it runs once those before it have ended. A call whose id was pushed before is ignored. */
  push(call: RunnerCall): void {
    if (this.stopped || this.seen.has(call.callId)) return;
    this.seen.add(call.callId);
    if (this.seen.size > REMEMBERED_CALLS) this.seen.delete(this.seen.values().next().value as string);
    this.queue.push(call);
    this.running ??= this.pump();
  }

  /** Drops the queued calls and reports nothing more (the work is stopping). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  /** True while a call runs or waits. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Resolves when no call runs (calls pushed meanwhile are awaited too). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async pump(): Promise<void> {
    // Never synchronously: the caller finishes what it was doing (a flow pass) first.
    await Promise.resolve();
    const { work, report, flush, describeError = serializeError } = this.options;
    for (let call = this.queue.shift(); call && !this.stopped; call = this.queue.shift()) {
      report({ type: "started", callId: call.callId });
      try {
        work.applyOps(call.delta);
        await work.run(call.args);
        flush?.();
        if (!this.stopped) report({ type: "succeeded", callId: call.callId });
      } catch (error) {
        flush?.();
        if (!this.stopped) report({ type: "failed", callId: call.callId, error: describeError(error) });
      }
    }
    this.running = undefined;
  }
}
