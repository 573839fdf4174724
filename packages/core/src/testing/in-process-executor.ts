/**
 * Runs works in the flow's own thread, like the original framework's test
 * mode: each call awaits the work's own `run()` on the very instance the flow
 * holds, so its state changes are seen directly. Calls go through the shared
 * {@link WorkRunner}, as in a work's thread or process. Calls and events
 * cross as JSON, as they do to a thread, a process or a host, so that what
 * would not survive that trip fails in tests too.
 */
import { coreOf } from "../component.ts";
import type { StoragePort, WorkCall, WorkEvent, WorkExecutor, WorkRef } from "../ports.ts";
import { bindStorage } from "../storage/context.ts";
import { runStopHooks } from "../stop-hooks.ts";
import type { WorkCore } from "../work-core.ts";
import { runWorkCall } from "../work-loader.ts";
import { WorkRunner } from "../work-runner.ts";

/** `value` after a trip through JSON, as it reaches the other side of a channel. */
function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

interface Lane {
  runner: WorkRunner;
  work: WorkRef;
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

  constructor(options: InProcessExecutorOptions = {}) {
    this.storage = options.storage;
  }

  bind(emit: (event: WorkEvent) => void): void {
    this.emit = emit;
  }

  async start(work: WorkRef): Promise<void> {
    this.lanes.get(work.name)?.runner.stop();
    this.lanes.delete(work.name);
    bindStorage(coreOf(work.work)!, this.storage);
  }

  call(work: WorkRef, call: WorkCall): void {
    const sent = asJson(call);
    this.lane(work).runner.push({ callId: sent.id, args: sent.args, delta: [] });
  }

  async stop(work: WorkRef): Promise<void> {
    this.lane(work).runner.stop();
    await runStopHooks(work.work);
  }

  async close(): Promise<void> {
    for (const lane of this.lanes.values()) {
      lane.runner.stop();
      await runStopHooks(lane.work.work);
    }
  }

  /** Every class can be rebuilt: the works run as the very instances the flow created. */
  canRebuild(_cls: Function): boolean {
    return true;
  }

  /** Resolves when no call is running (calls started meanwhile are awaited too). */
  async idle(): Promise<void> {
    let lanes = [...this.lanes.values()];
    while (lanes.some((lane) => lane.runner.busy)) {
      await Promise.all(lanes.map((lane) => lane.runner.idle()));
      lanes = [...this.lanes.values()];
    }
  }

  /** True while a call is running. */
  get busy(): boolean {
    return [...this.lanes.values()].some((lane) => lane.runner.busy);
  }

  private lane(work: WorkRef): Lane {
    let lane = this.lanes.get(work.name);
    if (lane) return lane;
    const name = work.name;
    const core = coreOf(work.work) as WorkCore;
    const storage = this.storage;
    const runner = new WorkRunner({
      // The flow's own instance: the flow's changes are already in its fields.
      work: {
        applyOps: () => undefined,
        run: (args) => {
          bindStorage(core, storage);
          return runWorkCall(core, args, storage);
        },
      },
      report: (report) => this.emit(asJson({ ...report, work: name })),
    });
    this.lanes.set(name, (lane = { runner, work }));
    return lane;
  }
}
