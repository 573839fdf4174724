/**
 * LightningFlow: the orchestrator. Its synchronous `run()` is re-executed from
 * the top whenever something it may depend on changed.
 */
import type { ApiRoute } from "./api.ts";
import type { Command } from "./command.ts";
import { CORE, coreOf, reservedNames } from "./component.ts";
import { AppStateError, ComponentError } from "./errors.ts";
import { FlowCore } from "./flow-core.ts";
import type { ComponentContext } from "./component-context.ts";
import { currentOrigin } from "./origin.ts";
import { parseCron, toEpoch, type ScheduleOptions } from "./schedule.ts";
import type { ClientSchema } from "./state-shape.ts";
import { AppEnding } from "./signals.ts";
import type { LightningWork } from "./work.ts";

/** One tab of the app's UI; see the docs on layouts. */
export interface LayoutTab {
  name: string;
  /** A child flow, a work (its `url` is embedded), a URL, or a frontend object. */
  content: LightningFlow | LightningWork | string | object;
}

let reserved: ReadonlySet<string> | undefined;

function fc(flow: LightningFlow): FlowCore {
  return (flow as unknown as { [CORE]: FlowCore })[CORE];
}

function contextOf(flow: LightningFlow, what: string): ComponentContext {
  const core = fc(flow);
  if (!core.context) {
    throw new AppStateError(`${core.name}.${what} needs a running app: wrap the root flow in new L.LightningApp(...) and start it.`);
  }
  return core.context;
}

function endApp(flow: LightningFlow, failed: boolean, message: string): void {
  contextOf(flow, failed ? "fail()" : "stop()").end(failed, message, fc(flow).name);
  if (currentOrigin() === "flow") throw new AppEnding(failed, message);
}

/**
 * The orchestrator of an app. Define `run()`, synchronous, re-executed from the
 * top whenever a work's state or status, the UI, a schedule or the flow's own
 * state changed.
 * @example
 * class Workflow extends L.LightningFlow {
 *   workA = new Worker({ cloudCompute: new L.CloudCompute("cpu") });
 *   run() {
 *     this.workA.run("hello");
 *   }
 * }
 */
export abstract class LightningFlow {
  /**
   * A schema for the fields clients write (`POST /api/v1/delta`, the UI),
   * checked against the flow's public fields after every patch that changes
   * them; a patch it refuses answers 400 naming the field, and nothing of it
   * is applied. Any Standard Schema (zod 4, valibot, arktype) or an object
   * with zod's `safeParse`; synchronous; only judges (its output is not
   * stored). The fields it covers may take the types it allows; without one,
   * a patch keeps each field's JSON type (a field that held only null takes
   * any). Either way a patch never removes a declared field nor adds one.
   * A work class may declare one too.
   * @example
   * class Settings extends L.LightningFlow {
   *   static clientSchema = z.object({ threshold: z.number().min(0).max(1), label: z.string().nullable() });
   *   threshold = 0.5;
   *   label: string | null = null;
   *   run() {}
   * }
   */
  static clientSchema?: ClientSchema;

  constructor() {
    const className = new.target.name || "LightningFlow";
    const run = (new.target.prototype as { run?: unknown }).run;
    if (typeof run !== "function") {
      throw new ComponentError("E_FLOW_NO_RUN", `${className} has no run() method. A LightningFlow subclass must define run().`);
    }
    if (run.constructor?.name === "AsyncFunction" || run.constructor?.name === "AsyncGeneratorFunction") {
      throw new ComponentError(
        "E_FLOW_ASYNC",
        `${className}.run() is async. A flow's run() must be synchronous: it is re-executed on every change. ` +
          `Move awaiting code into a LightningWork and call it from run().`,
      );
    }
    reserved ??= reservedNames(LightningFlow.prototype);
    const core = new FlowCore("flow", this, className, reserved);
    return core.proxy as this;
  }

  /** The orchestration logic. Synchronous; re-executed from the top on every change. */
  abstract run(): void;

  /** Dotted name: `root`, `root.child`. */
  get name(): string {
    return fc(this).name;
  }

  /** Whether the flow's UI is ready to be shown; override to delay it. */
  get ready(): boolean {
    return true;
  }

  /** Every work below this flow, depth first, including those created at run time. */
  works(): LightningWork[] {
    const out: LightningWork[] = [];
    for (const c of fc(this).descendants()) if (c.kind === "work") out.push(c.proxy as LightningWork);
    return out;
  }

  /** Every flow below this one, by dotted name. */
  get flows(): Record<string, LightningFlow> {
    const out: Record<string, LightningFlow> = {};
    for (const c of fc(this).descendants()) if (c.kind === "flow") out[c.name] = c.proxy as LightningFlow;
    return out;
  }

  /** The app's current time in epoch ms (a fake clock's time in tests). Use it instead of `Date.now()`. */
  now(): number {
    return contextOf(this, "now()").now();
  }

  /** Asks for a re-run of `run()` at `time` (epoch ms or Date), e.g. to act after a delay. */
  wakeAt(time: number | Date): void {
    contextOf(this, "wakeAt()").wakeAt(time instanceof Date ? time.getTime() : time);
  }

  /**
   * True on the first call, then once per firing of the cron schedule.
   * Accepts 5-field cron, 6 fields with seconds first, and the aliases
   * `hourly daily weekly monthly yearly annually midnight`.
   * @example
   * if (this.schedule("hourly")) this.report.run(this.now());
   */
  schedule(cron: string, options: ScheduleOptions = {}): boolean {
    const core = fc(this);
    const context = contextOf(this, "schedule()");
    const key = `${cron}|${options.startTime === undefined ? "" : String(options.startTime)}|${options.tz ?? ""}`;
    const now = context.now();
    const pass = context.pass;
    let state = core.schedules.get(key);
    if (!state) {
      const parsed = parseCron(cron, core.name, options.tz);
      const start = options.startTime === undefined ? now : toEpoch(options.startTime, core.name);
      state = { cron: parsed, next: parsed.nextAfter(Math.max(start, now) - 1), firedInPass: pass };
      if (state.next <= now) state.next = parsed.nextAfter(now);
      core.schedules.set(key, state);
      context.scheduleChanged?.(core, key, state.next);
      context.wakeAt(state.next);
      return true;
    }
    if (state.firedInPass === pass) return true;
    if (now >= state.next) {
      state.firedInPass = pass;
      state.next = state.cron.nextAfter(now);
      context.scheduleChanged?.(core, key, state.next);
      context.wakeAt(state.next);
      return true;
    }
    context.wakeAt(state.next);
    return false;
  }

  /** Ends the app cleanly (exit code 0). In `run()`, the rest of the pass is skipped. */
  stop(message?: string): void {
    endApp(this, false, message ?? `stopped by ${this.name}`);
  }

  /** Ends the app as failed (exit code 1) with `message`. */
  fail(message: string): void {
    endApp(this, true, message);
  }

  /** The UI tabs of this flow; see the docs on layouts. */
  configureLayout(): LayoutTab[] | LayoutTab | undefined {
    return undefined;
  }

  /**
   * REST routes served by the app server next to its own API. A route whose
   * handler is a method of this flow runs in the flow's loop and may change
   * state; the flow re-runs after it.
   * @example
   * configureApi() {
   *   return [new L.Post("/predict", this.predict, { body: z.object({ text: z.string() }) })];
   * }
   */
  configureApi(): ApiRoute<any>[] | undefined {
    return undefined;
  }

  /**
   * Commands a user runs against the running app from another terminal:
   * `lit <name> --key value`. Arguments are validated with the command's zod schema.
   * @example
   * configureCommands() {
   *   return [new L.Command("stop-notebook", this.stopNotebook, { args: z.object({ username: z.string() }) })];
   * }
   */
  configureCommands(): Command<any>[] | undefined {
    return undefined;
  }
}

/** True when `value` is a LightningFlow. */
export function isFlow(value: unknown): value is LightningFlow {
  return coreOf(value)?.kind === "flow";
}
