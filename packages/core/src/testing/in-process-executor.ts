/**
 * Runs works in the flow's own thread, like the original framework's test
 * mode: each call awaits the work's own `run()` on the very instance the flow
 * holds, so its state changes are seen directly.
 */
import { serializeError } from "../errors.ts";
import { coreOf } from "../component.ts";
import type { StoragePort, WorkCall, WorkEvent, WorkExecutor, WorkRef } from "../ports.ts";
import { bindStorage } from "../storage/context.ts";
import { prepareRun } from "../storage/prepare.ts";
import { decodeState } from "../state-value.ts";
import { runMethodOf } from "../work-run.ts";
import { runStopHooks } from "../stop-hooks.ts";

interface Lane {
  queue: WorkCall[];
  busy: boolean;
  stopped: boolean;
}

/** Options of an {@link InProcessExecutor}. */
export interface InProcessExecutorOptions {
  /** Where works keep their files (Paths, Drives, Payloads); without it, handing a file between works fails. */
  storage?: StoragePort;
}

/** An executor that runs every work in this thread. */
export class InProcessExecutor implements WorkExecutor {
  private emit: (event: WorkEvent) => void = () => {};
  private readonly storage: StoragePort | undefined;
  private readonly lanes = new Map<string, Lane>();
  private inFlight = new Set<Promise<void>>();
  private readonly works = new Map<string, WorkRef>();

  constructor(options: InProcessExecutorOptions = {}) {
    this.storage = options.storage;
  }

  bind(emit: (event: WorkEvent) => void): void {
    this.emit = emit;
  }

  async start(work: WorkRef): Promise<void> {
    this.lane(work.name).stopped = false;
    bindStorage(coreOf(work.work)!, this.storage);
  }

  call(work: WorkRef, call: WorkCall): void {
    this.works.set(work.name, work);
    const lane = this.lane(work.name);
    lane.queue.push(call);
    this.pump(work, lane);
  }

  async stop(work: WorkRef): Promise<void> {
    const lane = this.lane(work.name);
    lane.stopped = true;
    lane.queue.length = 0;
    await runStopHooks(work.work);
  }

  async close(): Promise<void> {
    for (const [name, lane] of this.lanes) {
      lane.stopped = true;
      lane.queue.length = 0;
      const work = this.works.get(name);
      if (work) await runStopHooks(work.work);
    }
  }

  /** Resolves when no call is running (calls started meanwhile are awaited too). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all(this.inFlight);
  }

  /** True while a call is running. */
  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  private lane(name: string): Lane {
    let lane = this.lanes.get(name);
    if (!lane) this.lanes.set(name, (lane = { queue: [], busy: false, stopped: false }));
    return lane;
  }

  private pump(work: WorkRef, lane: Lane): void {
    if (lane.busy || lane.stopped) return;
    const call = lane.queue.shift();
    if (!call) return;
    lane.busy = true;
    const name = work.name;
    const run = (async () => {
      await Promise.resolve();
      if (lane.stopped) return;
      this.emit({ type: "started", work: name, callId: call.id });
      try {
        const core = coreOf(work.work)!;
        bindStorage(core, this.storage);
        const args = call.args.map(decodeState);
        await prepareRun(core, core.fields, args, this.storage);
        await runMethodOf(work.work).apply(work.work, args);
        if (!lane.stopped) this.emit({ type: "succeeded", work: name, callId: call.id });
      } catch (error) {
        if (!lane.stopped) this.emit({ type: "failed", work: name, callId: call.id, error: serializeError(error) });
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      lane.busy = false;
      this.pump(work, lane);
    });
  }
}
