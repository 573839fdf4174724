/**
 * The run loop of an app on the flow's side. Event-driven: a pass of the
 * root flow's `run()` is scheduled only when something changed (a work's
 * state or status, a delta from outside, a wake-up, or the flow's own state
 * in the previous pass), never on a timer of its own.
 */
import type { LightningApp } from "./app.ts";
import { coreOf, type ComponentCore } from "./component.ts";
import { AppStateError, CronError, FlowFailedError, LitError, PatchError, serializeError, StateLimitError, WorkFailedError } from "./errors.ts";
import type { ComponentContext } from "./component-context.ts";
import { escapeKey, toPointer } from "./json-pointer.ts";
import { currentOrigin, withOrigin } from "./origin.ts";
import type { EnginePorts, WorkCall, WorkEvent, WorkRef } from "./ports.ts";
import {
  AppEnding,
  beginPass,
  endPass,
  endsPass,
  holdBackIfEnded,
  isControlSignal,
  WaitingForCron,
  WaitingForWork,
  WaitingForWorkClass,
  type ControlSignal,
} from "./signals.ts";
import { tooDeep } from "./client-value.ts";
import { StateLedger } from "./state-ledger.ts";
import { formatBytes, type StateLimits } from "./state-limits.ts";
import { applyStatePatch } from "./state-patch.ts";
import { entryOverhead, jsonSize } from "./state-size.ts";
import { type DecodeContext, type JsonValue, type StateLocation } from "./state-value.ts";
import { applyChange, type VarOp } from "./var-ops.ts";
import { withWriteGuard, type WriteGuard } from "./write-guard.ts";
import { WakeTimer } from "./wake-timer.ts";
import { preloadCron } from "./schedule.ts";
import type { WorkCore } from "./work-core.ts";
import { workRef } from "./work-ref.ts";
import { creationCheck, withCreationCheck, type CreationCheck } from "./work-creation.ts";
import { componentDocument, stateDocument, type PatchOp, type StateDocument } from "./state-document.ts";
import type { DurableState } from "./durable-state.ts";
import { durableState, JournalWriter } from "./journal-writer.ts";
import { checkTree, forgetCalls, restoreComponent, savedComponents, type SavedComponent } from "./resume.ts";
import type { CallRecord } from "./work-core.ts";

/** Stages of an app. */
export type AppStage = "not_started" | "running" | "stopping" | "stopped" | "failed";

/** How an app ended. */
export interface AppResult {
  stage: "stopped" | "failed";
  exitCode: 0 | 1;
  message: string;
  error?: Error;
}

/** A line a work printed. */
export interface LogLine {
  work: string;
  stream: "stdout" | "stderr";
  line: string;
  time: number;
}

/** Runs one app: passes of its root flow, its works through the executor port. */
export class AppEngine implements ComponentContext {
  readonly app: LightningApp;
  stage: AppStage = "not_started";
  pass = 0;
  /** Ends with the app: resolved with how it ended, never rejected. */
  readonly done: Promise<AppResult>;
  result: AppResult | undefined;
  /** The app's state limits (its `limits` option over the defaults). */
  readonly limits: Readonly<StateLimits>;
  private readonly ports: EnginePorts;
  private readonly ledger = new StateLedger();
  /** Every work that has been part of the app: the origins a Path or Payload may name. */
  private readonly workNames = new Set<string>();
  private readonly decodeContext: DecodeContext = { isWork: (name) => this.workNames.has(name) };
  private readonly guard: WriteGuard;
  private overLimitReported = false;
  /** The places where a caught control signal was reported (once each). */
  private readonly caughtReported = new Set<string>();
  /** The flow whose stop() or fail() ended the app during the pass under way. */
  private endedBy: string | undefined;
  private readonly rootCore: ComponentCore;
  private readonly wakes: WakeTimer;
  /** Asked at each work created in a pass: can its class be rebuilt where works run? */
  private readonly classCheck: CreationCheck;
  private readonly works = new Map<string, WorkCore>();
  private readonly startedWorks = new Set<WorkCore>();
  private readonly outbox = new Map<WorkCore, VarOp[]>();
  private pendingCalls: { work: WorkCore; call: Omit<WorkCall, "delta"> }[] = [];
  private feed: PatchOp[] = [];
  private readonly listeners = new Set<(ops: PatchOp[]) => void>();
  private readonly logListeners = new Set<(line: LogLine) => void>();
  private starting: Promise<void> | undefined;
  private cronLoading: Promise<void> | undefined;
  private cronLoaded = false;
  private dirty = false;
  private scheduled = false;
  private flowChanged = false;
  private resolveDone!: (result: AppResult) => void;
  /** Records the state's changes in the journal, when the app has one. */
  private readonly journal: JournalWriter | undefined;
  /** Components of a resumed app's journal not in the app yet: restored when they join it. */
  private readonly restoring = new Map<string, SavedComponent>();
  /** The dotted names of the components the app was built with (the others a flow created). */
  private readonly builtWith = new Set<string>();
  /** Each work's executor handle (its last `handle` event, or the one its journal kept). */
  private readonly handles = new Map<string, JsonValue>();

  constructor(app: LightningApp, ports: EnginePorts) {
    this.app = app;
    this.ports = ports;
    this.limits = app.limits;
    this.guard = this.handlerGuard();
    this.rootCore = coreOf(app.root)!;
    this.classCheck = creationCheck(ports.executor, () => this.markDirty());
    this.wakes = new WakeTimer(ports.clock, () => ports.clock.now(), () => this.markDirty());
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.journal = ports.journal ? new JournalWriter(ports.journal) : undefined;
    ports.executor.bind((event) => this.onEvent(event));
  }

  /**
   * Starts the app: starts `startWithFlow` works and runs the first pass soon
   * (the cron parser is loaded when a flow first calls `schedule()`). Resolves
   * when the app has ended.
   */
  start(): Promise<AppResult> {
    if (this.stage !== "not_started" || this.starting) throw new AppStateError(`the app is already ${this.stage}; an AppEngine runs once.`);
    if (this.rootCore.context) throw new AppStateError("this app is already running in another engine; construct a new app to run it again.");
    this.starting = Promise.resolve().then(() => this.begin());
    return this.done;
  }

  /** Resolves once the app is running (after `start()`). */
  get started(): Promise<void> {
    return this.starting ?? Promise.reject(new AppStateError("the app was not started; call start() first"));
  }

  private begin(): void | Promise<void> {
    if (this.stage !== "not_started") return;
    let saved: DurableState | undefined;
    try {
      saved = this.journal?.journal.load();
      if (saved) this.prepareResume(saved);
    } catch (error) {
      this.failWith(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // A resumed schedule needs the cron parser before the first pass: else schedule() would count as a first call.
    if (saved && Object.keys(saved.schedules).length > 0) {
      return preloadCron().then(
        () => {
          this.cronLoaded = true;
          this.run();
        },
        (error: unknown) => this.failWith(flowError(new CronError(`the cron parser (cron-parser) could not be loaded to resume schedule(): ${String(error)}. Reinstall the app's dependencies.`, error))),
      );
    }
    this.run();
  }

  private run(): void {
    if (this.stage !== "not_started") return;
    for (const c of this.components()) this.builtWith.add(c.name);
    this.rootCore.bind(this);
    this.register(this.rootCore);
    this.setStage("running");
    for (const work of this.works.values()) if (work.options.startWithFlow) this.startWork(work);
    this.flushFeed();
    this.journal?.begin(this.durableState());
    this.markDirty();
  }

  /** Checks a journal's state against the app's tree and keeps its components to restore as they join. */
  private prepareResume(saved: DurableState): void {
    checkTree(saved, this.components());
    for (const [name, c] of savedComponents(saved)) {
      this.restoring.set(name, c);
      if (c.kind === "work") this.workNames.add(name);
    }
  }

  /** The app's whole durable state now (see durable-state.ts). */
  durableState(): DurableState {
    return durableState(this.stateDocument(), this.components(), (c) => !this.builtWith.has(c.name), this.handles);
  }

  /** Puts a resumed component's state back; the work's calls under way are re-attached or sent again. */
  private restore(c: ComponentCore, saved: SavedComponent): void {
    if (saved.className !== c.className || saved.kind !== c.kind) return;
    const unfinished = restoreComponent(c, saved, this.decodeContext, (message) => this.logError(c.name, message));
    if (saved.work?.handle !== undefined) this.handles.set(c.name, saved.work.handle);
    if (unfinished.length > 0) this.resumeCalls(c as WorkCore, unfinished);
  }

  /**
   * Calls that were pending or running when the app's earlier process died: the executor may still
   * have them (a host's agent keeps the work's process); the others are sent again when the flow makes them.
   */
  private resumeCalls(work: WorkCore, unfinished: CallRecord[]): void {
    const executor = this.ports.executor;
    if (!executor.reattach) {
      forgetCalls(work, unfinished, this.now());
      return;
    }
    // Meanwhile the flow waits on them as on any call under way.
    executor.reattach(workRef(work), unfinished.map(({ id, hash }) => ({ id, hash })), this.handles.get(work.name)).then(
      (live) => {
        if (this.stage !== "running" && this.stage !== "not_started") return;
        const kept = new Set(live);
        if (kept.size > 0) this.startedWorks.add(work);
        forgetCalls(work, unfinished.filter((rec) => !kept.has(rec.id)), this.now());
        this.markDirty();
        this.flushFeed();
      },
      (error: unknown) => {
        this.logError(work.name, `${work.name}: its calls under way could not be re-attached after the app resumed (${error instanceof Error ? error.message : String(error)}); they are sent again`);
        forgetCalls(work, unfinished, this.now());
        this.markDirty();
      },
    );
  }

  /** Ends the app from outside (Ctrl-C, a test): stops every work. */
  stop(message = "stopped"): Promise<AppResult> {
    this.finish({ stage: "stopped", exitCode: 0, message });
    return this.done;
  }

  /** Subscribes to state changes, as JSON Patch operations on the state document. */
  subscribe(listener: (ops: PatchOp[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribes to the lines works print. */
  onLog(listener: (line: LogLine) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  /** The work with this dotted name, if it is in the tree. */
  work(name: string): WorkCore | undefined {
    return this.works.get(name);
  }

  /** Every component of the app by dotted name (flows and works). */
  *components(): Generator<ComponentCore> {
    yield this.rootCore;
    for (const c of this.rootCore.descendants()) if (c.kind === "flow" || c.kind === "work") yield c;
  }

  /** The state document: stage and every component's fields, status and compute. */
  stateDocument(): StateDocument {
    return stateDocument(this.stage, this.components());
  }

  /** The JSON size of the whole state, as counted against `limits.maxStateBytes`. */
  stateSize(): number {
    return this.ledger.total();
  }

  /**
   * Applies a JSON Patch on the state document from outside (UI, REST API),
   * whole or not at all, and re-runs the flow. Its values are data (never a
   * Path, Drive or Payload); it keeps the shape of the state and the app's
   * limits; see state-patch.ts.
   * @throws PatchError saying what is wrong, StateShapeError for a change of shape,
   *   StateLimitError for a patch over the limits; nothing was changed then.
   */
  applyDelta(patch: unknown): void {
    if (this.stage !== "running") throw new PatchError(`the app is ${this.stage}; its state no longer changes`);
    applyStatePatch(patch, {
      find: (name) => this.lookup(name),
      limits: this.limits,
      ledger: this.ledger,
      record: (core, op, removed) => this.record(core, op, removed),
    });
    this.flushFeed();
  }

  /**
   * Runs `fn` as part of the flow's loop, between passes: state it changes
   * counts as the flow's (fields set on works reach them with their next
   * call, work calls are sent) and the flow re-runs if anything changed.
   * For API route and command handlers that are methods of a flow.
   * A control signal (`stop()`, a blocking `work.run()`) ends `fn` early; it is rethrown.
   * The app's limits hold for what `fn` stores: a value nested past
   * `limits.maxDepth`, or one that would take the state past
   * `limits.maxStateBytes`, throws a StateLimitError where it is stored, and
   * is not stored (changes `fn` made before stay).
   * @throws AppStateError when the app is not running.
   */
  runInLoop<T>(fn: () => T): T {
    if (this.stage !== "running") throw new AppStateError(`the app is ${this.stage}; its flows no longer run.`);
    this.flowChanged = false;
    try {
      return withWriteGuard(this.guard, () => withOrigin("flow", fn));
    } finally {
      this.flushCalls();
      if (this.flowChanged) this.markDirty();
      this.flushFeed();
    }
  }

  private lookup(name: string): ComponentCore | undefined {
    if (name === this.rootCore.name) return this.rootCore;
    const work = this.works.get(name);
    if (work) return work;
    for (const c of this.components()) if (c.name === name) return c;
    return undefined;
  }

  /** Runs a pass now if one is due; returns whether one ran. For test drivers. */
  runPendingPass(): boolean {
    if (!this.dirty || this.stage !== "running") return false;
    this.runPass();
    return true;
  }

  // ---- ComponentContext ----

  /**
   * @param removed the JSON size of the value the change replaced or removed, when the caller
   *   knows it (for the state's size accounting).
   */
  record(component: ComponentCore, op: VarOp, removed?: number): void {
    if (component.kind !== "flow" && component.kind !== "work") return;
    this.ledger.note(component, op, removed);
    const origin = currentOrigin();
    if (origin !== "external") this.checkStateSize();
    const path = `/components/${escapeKey(component.name)}/vars${toPointer(op.path)}`;
    this.feed.push(op.op === "remove" ? { op: "remove", path } : { op: op.op, path, value: op.value as JsonValue });
    if (component.kind === "work" && (origin === "flow" || origin === "external")) {
      const queue = this.outbox.get(component as WorkCore);
      if (queue) queue.push(op);
      else this.outbox.set(component as WorkCore, [op]);
    }
    if (origin === "flow") this.flowChanged = true;
    else this.markDirty();
  }

  attached(component: ComponentCore): void {
    this.register(component);
    if (currentOrigin() !== "flow") this.markDirty();
  }

  detached(component: ComponentCore): void {
    for (const c of [component, ...component.descendants()]) {
      if (c.kind !== "flow" && c.kind !== "work") continue;
      if (c.kind === "work") {
        const work = c as WorkCore;
        this.stopWork(work);
        this.works.delete(work.name);
        this.handles.delete(work.name);
        this.outbox.delete(work);
      }
      this.ledger.remove(c);
      this.feed.push({ op: "remove", path: `/components/${escapeKey(c.name)}` });
    }
    if (currentOrigin() === "flow") this.flowChanged = true;
    else this.markDirty();
  }

  callWork(work: WorkCore, call: { id: string; hash: string; args: JsonValue[] }): void {
    const rec = work.callsById.get(call.id);
    if (rec) this.journal?.call(work, rec);
    this.pendingCalls.push({ work, call });
    if (currentOrigin() !== "flow") this.ports.clock.soon(() => this.flushCalls());
  }

  stopWork(work: WorkCore): void {
    if (work.status.stage === "stopped") return;
    for (const rec of work.calls.values()) {
      if (rec.stage !== "pending" && rec.stage !== "running") continue;
      rec.stage = "stopped";
      this.journal?.call(work, rec);
    }
    work.setStatus({ stage: "stopped", timestamp: this.now(), reason: "stopped_by_flow" });
    this.pendingCalls = this.pendingCalls.filter((p) => p.work !== work);
    if (this.startedWorks.delete(work)) {
      this.ports.executor.stop(workRef(work)).catch((error: unknown) => this.logError(work.name, error));
    }
  }

  statusChanged(work: WorkCore): void {
    this.feed.push({ op: "replace", path: `/components/${escapeKey(work.name)}/status`, value: { ...work.status } as JsonValue });
  }

  now(): number {
    return this.ports.clock.now();
  }

  wakeAt(time: number): void {
    if (this.stage !== "running") return;
    if (time <= this.now()) this.markDirty();
    else this.wakes.request(time);
  }

  scheduleChanged(flow: ComponentCore, key: string, next: number): void {
    this.journal?.schedule(flow, key, next);
  }

  warn(source: string, message: string): void {
    this.logError(source, message);
  }

  end(failed: boolean, message: string, flow: string): void {
    if (currentOrigin() === "flow") {
      // A signal already ended this pass and a catch swallowed it: the flow should not be here yet.
      holdBackIfEnded();
      endsPass(new AppEnding(failed, message));
      this.endedBy = flow;
    }
    if (failed) this.finish({ stage: "failed", exitCode: 1, message, error: new FlowFailedError(flow, `${flow} failed the app: ${message}`) });
    else this.finish({ stage: "stopped", exitCode: 0, message });
  }

  // ---- the loop ----

  /** Marks that something changed: a pass will run soon. */
  markDirty(): void {
    this.dirty = true;
    if (!this.scheduled && this.stage === "running") {
      this.scheduled = true;
      this.ports.clock.soon(() => this.runPass());
    }
  }

  private runPass(): void {
    this.scheduled = false;
    if (!this.dirty || this.stage !== "running") return;
    this.dirty = false;
    this.flowChanged = false;
    this.pass++;
    let returned = false;
    beginPass();
    try {
      const result: unknown = withOrigin("flow", () => withCreationCheck(this.classCheck, this.app.root));
      if (result !== null && typeof (result as { then?: unknown })?.then === "function") {
        (result as Promise<unknown>).then(undefined, () => undefined);
        throw new FlowFailedError(
          "root",
          `root.run() returned a Promise. A flow's run() must be synchronous: it is re-executed on every change. ` +
            `Move awaiting code into a LightningWork and call it from run().`,
        );
      }
      returned = true;
    } catch (error) {
      if (!isControlSignal(error)) this.failWith(flowError(error));
    }
    const end = endPass();
    if (end.signal instanceof WaitingForCron) this.loadCron();
    if (end.signal && (returned || end.heldBack)) this.signalCaught(end.signal);
    this.flushCalls();
    if (this.flowChanged) this.markDirty();
    this.flushFeed();
  }

  /** Loads the cron parser that a flow's `schedule()` waits for, then re-runs the flow. */
  private loadCron(): void {
    this.cronLoading ??= preloadCron().then(
      () => {
        this.cronLoaded = true;
        this.markDirty();
      },
      (error: unknown) => this.failWith(flowError(new CronError(`the cron parser (cron-parser) could not be loaded for schedule(): ${String(error)}. Reinstall the app's dependencies.`, error))),
    );
  }

  /** Whether the engine waits for something outside its executor and clock (the cron parser) to re-run the flow. */
  get loading(): Promise<void> | undefined {
    return this.cronLoaded ? undefined : this.cronLoading;
  }

  /**
   * The root flow's run() returned although `signal` had ended the pass: a try/catch swallowed it.
   * What the flow asked for after it was held back (see signals.ts); say so, once per place.
   */
  private signalCaught(signal: ControlSignal): void {
    const root = this.rootCore.name;
    const advice = `In the catch, rethrow lit-app's signals first: if (L.isControlSignal(e)) throw e;`;
    if (signal instanceof WaitingForWork) {
      if (this.caughtReported.has(`wait:${signal.work}`)) return;
      this.caughtReported.add(`wait:${signal.work}`);
      const work = signal.work;
      this.logError(
        root,
        `${root}.run() went on after ${work}.run() ended the pass (${work} has not finished its call): a try/catch in the run() of ` +
          `${this.flowOf(work)} (or of a flow that calls it) caught lit-app's signal and did not rethrow it. The code after that line ran ` +
          `before ${work} finished; work calls, stop() and fail() there were held back. ${advice}`,
      );
      return;
    }
    if (signal instanceof WaitingForCron) {
      if (this.caughtReported.has(`cron:${signal.flow}`)) return;
      this.caughtReported.add(`cron:${signal.flow}`);
      this.logError(
        root,
        `${root}.run() went on after ${signal.flow}.schedule() ended the pass (lit-app was still loading the cron parser): a try/catch ` +
          `in a flow's run() caught lit-app's signal and did not rethrow it; work calls, stop() and fail() after it were held back. ${advice}`,
      );
      return;
    }
    if (signal instanceof WaitingForWorkClass) {
      if (this.caughtReported.has(`class:${signal.className}`)) return;
      this.caughtReported.add(`class:${signal.className}`);
      this.logError(
        root,
        `${root}.run() went on after new ${signal.className}() ended the pass (lit-app was still finding where ${signal.className} is exported): ` +
          `a try/catch in a flow's run() caught lit-app's signal and did not rethrow it; work calls, stop() and fail() after it were held back. ${advice}`,
      );
      return;
    }
    const flow = this.endedBy ?? root;
    if (this.caughtReported.has(`end:${flow}`)) return;
    this.caughtReported.add(`end:${flow}`);
    this.logError(
      root,
      `${flow}.${signal.failed ? "fail" : "stop"}() ended the app, but a try/catch in the run() of ${flow} (or of a flow that calls it) ` +
        `caught lit-app's signal and did not rethrow it, so the code after that line ran; work calls, stop() and fail() there were ` +
        `held back. ${advice}`,
    );
  }

  /** The dotted name of the flow a work belongs to (its nearest flow above it). */
  private flowOf(workName: string): string {
    let c = this.works.get(workName)?.parent;
    while (c && c.kind !== "flow") c = c.parent;
    return c?.name ?? this.rootCore.name;
  }

  private flushCalls(): void {
    const calls = this.pendingCalls;
    this.pendingCalls = [];
    if (this.stage !== "running") return;
    for (const { work, call } of calls) {
      const ref = workRef(work);
      if (!this.startedWorks.has(work)) this.startWork(work);
      const delta = this.outbox.get(work) ?? [];
      this.outbox.delete(work);
      this.ports.executor.call(ref, { ...call, delta });
    }
  }

  private startWork(work: WorkCore): void {
    this.startedWorks.add(work);
    // The executor snapshots the work's fields now; changes before this are in the snapshot.
    this.outbox.delete(work);
    this.ports.executor.start(workRef(work)).catch((error: unknown) => {
      this.onEvent({ type: "exited", work: work.name, error: serializeError(error) });
    });
  }

  private onEvent(event: WorkEvent): void {
    const work = this.works.get(event.work);
    // While the app stops, its works finish stopping (their stop hooks run): what they print is still shown.
    if (!work || (this.stage !== "running" && !(this.stage === "stopping" && event.type === "log"))) return;
    if (event.type === "log") {
      const line: LogLine = { work: event.work, stream: event.stream, line: event.line, time: this.now() };
      for (const l of this.logListeners) l(line);
      return;
    }
    if (event.type === "connection") {
      // The work may still run: its calls go on, and its events resume once the link is back.
      this.logError(event.work, event.message);
      const { stage } = work.status;
      if (stage === "pending" || stage === "running") {
        const status = { stage, timestamp: this.now() };
        work.setStatus(event.state === "lost" ? { ...status, reason: "host unreachable", message: event.message } : status);
        this.flushFeed();
      }
      return;
    }
    if (event.type === "handle") {
      this.handles.set(work.name, event.handle);
      this.journal?.handle(work.name, event.handle);
      this.flushFeed();
      return;
    }
    if (event.type === "placed") {
      work.placement = { host: event.host, gpus: event.gpus ?? [] };
      this.feed.push({ op: "replace", path: `/components/${escapeKey(work.name)}/placement`, value: { ...work.placement, gpus: [...work.placement.gpus] } });
      this.flushFeed();
      return;
    }
    if (event.type === "waiting") {
      if (work.status.stage === "pending") {
        work.setStatus({ stage: "pending", timestamp: this.now(), reason: event.reason });
        this.flushFeed();
      }
      return;
    }
    if (work.status.stage === "stopped") return;
    switch (event.type) {
      case "delta":
        this.applyWorkDelta(work, event.ops);
        break;
      // Each call's record follows its own events; the work's status only those of its latest call.
      case "started": {
        const rec = work.callsById.get(event.callId);
        if (!rec || rec.stage !== "pending") return;
        rec.stage = "running";
        this.journal?.call(work, rec);
        if (rec.id === work.latestCallId) work.setStatus({ stage: "running", timestamp: this.now() });
        break;
      }
      case "succeeded": {
        const rec = work.callsById.get(event.callId);
        if (!rec || (rec.stage !== "running" && rec.stage !== "pending")) return;
        rec.stage = "succeeded";
        work.numSuccesses++;
        this.journal?.call(work, rec);
        if (rec.id === work.latestCallId) work.setStatus({ stage: "succeeded", timestamp: this.now() });
        break;
      }
      case "failed": {
        const rec = work.callsById.get(event.callId);
        if (!rec || (rec.stage !== "running" && rec.stage !== "pending")) return;
        rec.stage = "failed";
        this.journal?.call(work, rec);
        if (rec.id === work.latestCallId) this.workFailed(work, "error", event.error);
        else this.earlierCallFailed(work, event.error);
        break;
      }
      case "exited": {
        for (const rec of work.calls.values()) {
          if (rec.stage !== "pending" && rec.stage !== "running") continue;
          rec.stage = "failed";
          this.journal?.call(work, rec);
        }
        this.startedWorks.delete(work);
        this.workFailed(work, event.reason ?? "exited", event.error);
        break;
      }
    }
    this.markDirty();
    this.flushFeed();
  }

  private workFailed(work: WorkCore, reason: string, error: { name: string; message: string; stack?: string }): void {
    const status = { stage: "failed" as const, timestamp: this.now(), reason, message: error.message };
    work.setStatus(status);
    if (work.options.raiseException) {
      this.failWith(new WorkFailedError(work.name, `${work.name} failed: ${error.message}`, error.stack));
    }
  }

  /**
   * A call older than the work's latest one failed: the app fails as for any failure with
   * `raiseException`; without it the failure is reported in the log, and the work's status
   * stays that of its latest call.
   */
  private earlierCallFailed(work: WorkCore, error: { message: string; stack?: string }): void {
    if (work.options.raiseException) {
      this.failWith(new WorkFailedError(work.name, `${work.name} failed: ${error.message}`, error.stack));
      return;
    }
    this.logError(
      work.name,
      `${work.name}: an earlier call failed (${error.message}); ${work.name}.status is that of its latest call, which goes on`,
    );
  }

  /**
   * Applies a work's changes to the flow's copy of it. A change that does not
   * fit, or that names an origin that is no work of the app, is refused and
   * reported; the others apply. Works' changes are counted in the state's
   * size but never refused for it (see checkStateSize).
   */
  private applyWorkDelta(work: WorkCore, ops: VarOp[]): void {
    withOrigin("remote", () => {
      for (const op of ops) {
        let removed: number | undefined;
        try {
          const change = applyChange(work.fields, op, work.name, this.decodeContext);
          if (change.had && op.path.length > 1) removed = jsonSize(change.old);
        } catch (error) {
          if (error instanceof PatchError) this.logError(work.name, error);
          else if (error instanceof LitError) this.logError(work.name, `${work.name}: its change of "/${op.path.join("/")}" was refused: ${error.message}`);
          else throw error;
          continue;
        }
        this.record(work, op, removed);
      }
    });
  }

  /** Reports once, in the app's log, that the flow's or works' own changes took the state past its limit. */
  private checkStateSize(): void {
    const size = this.ledger.estimate();
    if (size <= this.limits.maxStateBytes) {
      this.overLimitReported = false;
      return;
    }
    if (this.overLimitReported || this.ledger.total() <= this.limits.maxStateBytes) return;
    this.overLimitReported = true;
    this.logError(
      "app",
      `the app's state is ${this.ledger.total()} bytes, over its limit of ${formatBytes(this.limits.maxStateBytes)} (maxStateBytes): ` +
        `clients' patches and handlers that add to it are refused until it shrinks. Hand large values between works as an L.Payload or an L.Path, ` +
        `or raise the app's limits.maxStateBytes.`,
    );
  }

  /** The guard that holds handlers' writes to the app's limits (see write-guard.ts). */
  private handlerGuard(): WriteGuard {
    const limits = this.limits;
    return {
      maxDepth: limits.maxDepth,
      tooDeep: (where: StateLocation) => {
        throw tooDeep(where, limits.maxDepth);
      },
      admit: (where: StateLocation, value: unknown) => {
        const owner = where.owner as ComponentCore | undefined;
        if (!owner || (owner.kind !== "flow" && owner.kind !== "work") || owner.context !== this) return;
        const size = jsonSize(value) + entryOverhead(where.path[where.path.length - 1] as string);
        const old = where.path.length === 1 ? this.ledger.fieldSize(owner, where.path[0] as string) : 0;
        if (size <= old) return;
        const max = limits.maxStateBytes;
        if (this.ledger.estimate() + size - old <= max) return;
        const total = this.ledger.total() + size - old;
        if (total <= max) return;
        const field = where.path.join(".");
        throw new StateLimitError(
          "stateBytes",
          `${where.component}: storing ${size} bytes in "${field}" would take the app's state to ${total} bytes, over its limit of ` +
            `${formatBytes(max)} (maxStateBytes); it was not stored. Remove data first, or raise the app's limits.maxStateBytes.`,
          { component: where.component, field },
        );
      },
    };
  }

  private register(component: ComponentCore): void {
    for (const c of [component, ...component.descendants()]) {
      const saved = this.restoring.get(c.name);
      if (saved) {
        this.restoring.delete(c.name);
        this.restore(c, saved);
      }
      if (c.kind === "flow" || c.kind === "work") {
        this.ledger.add(c);
        this.journal?.component(c, !this.builtWith.has(c.name));
      }
      if (c.kind === "work") {
        const work = c as WorkCore;
        this.works.set(c.name, work);
        this.workNames.add(c.name);
        // Built before any clock was known: stamp "not_started" with the time it joined the app.
        if (work.status.stage === "not_started") work.status = { stage: "not_started", timestamp: this.now() };
      }
      if (c.kind === "flow" || c.kind === "work") {
        if (c !== this.rootCore || this.stage !== "not_started") {
          this.feed.push({ op: "add", path: `/components/${escapeKey(c.name)}`, value: componentDocument(c) as unknown as JsonValue });
        }
      }
    }
  }

  private failWith(error: Error): void {
    this.finish({ stage: "failed", exitCode: 1, message: error.message, error });
  }

  private finish(result: AppResult): void {
    if (this.stage !== "running" && this.stage !== "not_started") return;
    this.result = result;
    this.setStage("stopping");
    this.wakes.clear();
    this.pendingCalls = [];
    this.flushFeed();
    this.ports.executor
      .close()
      .catch((error: unknown) => this.logError("app", error))
      .then(() => {
        this.setStage(result.stage);
        this.flushFeed();
        this.journal?.close();
        this.rootCore.bind(undefined);
        this.resolveDone(result);
      });
  }

  private setStage(stage: AppStage): void {
    this.stage = stage;
    this.feed.push({ op: "replace", path: "/stage", value: stage });
  }

  private flushFeed(): void {
    const ops = this.feed;
    if (ops.length > 0) this.feed = [];
    this.journal?.write(ops, () => this.durableState());
    if (ops.length === 0) return;
    for (const l of this.listeners) l(ops);
  }

  private logError(source: string, error: unknown): void {
    if (typeof error === "string") error = new Error(error);
    const line: LogLine = { work: source, stream: "stderr", line: `[lit-app] ${String(error instanceof Error ? error.message : error)}`, time: this.now() };
    for (const l of this.logListeners) l(line);
  }
}

function flowError(error: unknown): Error {
  if (error instanceof LitError) return error;
  const { message, stack } = serializeError(error);
  const out = new FlowFailedError("root", `root.run() threw: ${message}`, { cause: error });
  // Without the user's stack, the message alone: the framework's frames would say nothing about where.
  out.stack = stack ?? out.message;
  return out;
}

export type { WorkRef };
