/**
 * Drives an app in a unit test: works run in-process, time is a fake clock,
 * and passes run when the test says so.
 */
import type { LightningApp } from "../app.ts";
import { LitError } from "../errors.ts";
import type { LightningFlow } from "../flow.ts";
import { AppEngine, type AppResult, type LogLine } from "../app-engine.ts";
import type { StateJournal, StoragePort } from "../ports.ts";
import type { PatchOp } from "../state-document.ts";
import { FakeClock } from "./fake-clock.ts";
import { InProcessExecutor } from "./in-process-executor.ts";

/** The app kept running after `maxPasses` passes without settling. */
export class NotSettledError extends LitError {
  constructor(passes: number) {
    super(
      "E_NOT_SETTLED",
      `the app did not settle after ${passes} passes: its flow keeps changing its own state (or asks to wake up now) on every pass.`,
    );
  }
}

/** Options of a {@link TestApp}. */
export interface TestAppOptions {
  /** The clock to use; default a FakeClock at 2026-01-01T00:00:00Z. */
  clock?: FakeClock;
  /** How many passes `settle()` may run before giving up. Default 10,000. */
  maxPasses?: number;
  /** Where works keep their files (Paths, Drives, Payloads), e.g. lit-app/testing's `new LocalStorage(dir)`. */
  storage?: StoragePort;
  /** Where the app keeps its durable state (to test resuming); default none. */
  journal?: StateJournal;
}

/**
 * An app under test.
 * @example
 * const t = new TestApp(new L.LightningApp(new Workflow()));
 * await t.start();                 // runs passes and works until nothing changes
 * expect(t.root.workA.hasSucceeded).toBe(true);
 * await t.advance(60 * 60 * 1000); // an hour later, with every timer in between
 */
export class TestApp<F extends LightningFlow = LightningFlow> {
  readonly clock: FakeClock;
  readonly executor: InProcessExecutor;
  readonly engine: AppEngine;
  /** Every state change, as JSON Patch operations, in order. */
  readonly changes: PatchOp[] = [];
  /** Every line works printed through the engine. */
  readonly logs: LogLine[] = [];
  private readonly maxPasses: number;

  constructor(app: LightningApp, options: TestAppOptions = {}) {
    this.clock = options.clock ?? new FakeClock();
    this.maxPasses = options.maxPasses ?? 10_000;
    this.executor = new InProcessExecutor({ storage: options.storage });
    this.engine = new AppEngine(app, { executor: this.executor, clock: this.clock, ...(options.journal ? { journal: options.journal } : {}) });
    this.engine.subscribe((ops) => this.changes.push(...ops));
    this.engine.onLog((line) => this.logs.push(line));
  }

  /** The root flow. */
  get root(): F {
    return this.engine.app.root as F;
  }

  /** How many passes of the root flow have run. */
  get passes(): number {
    return this.engine.pass;
  }

  /** How the app ended, once it has. */
  get result(): AppResult | undefined {
    return this.engine.result;
  }

  /** Starts the app and settles it. */
  async start(): Promise<void> {
    void this.engine.start();
    await this.engine.started;
    await this.settle();
  }

  /**
   * Runs passes and in-process works until nothing is left to do at the
   * current time. Returns how many passes ran.
   */
  async settle(): Promise<number> {
    const first = this.engine.pass;
    for (;;) {
      // One callback at a time: a flow that changes its own state on every pass would otherwise never return.
      while (this.clock.runSoon(1)) {
        if (this.engine.pass - first > this.maxPasses) throw new NotSettledError(this.engine.pass - first);
      }
      if (this.executor.busy) {
        await this.executor.idle();
        continue;
      }
      const loading = this.engine.loading;
      if (loading) {
        await loading.catch(() => undefined);
        continue;
      }
      await Promise.resolve();
      if (!this.clock.hasQueued && !this.executor.busy) break;
    }
    if (this.engine.stage === "stopping") await this.engine.done;
    return this.engine.pass - first;
  }

  /** Runs exactly one pass if one is due, then waits for the calls it made; returns whether it ran. */
  async step(): Promise<boolean> {
    const ran = this.engine.runPendingPass();
    await this.executor.idle();
    return ran;
  }

  /** Moves the fake clock forward by `ms`, settling at every timer on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    await this.settle();
    while (this.clock.fireNext(target)) await this.settle();
    this.clock.setTime(target);
    await this.settle();
  }

  /** Ends the app (if still running) and returns how it ended. */
  async stop(): Promise<AppResult> {
    const done = this.engine.stop("stopped by the test");
    this.clock.runSoon();
    return done;
  }
}
