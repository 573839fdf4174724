/** LightningApp: the root of an app and what starts it. */
import { coreOf } from "./component.ts";
import { ComponentError } from "./errors.ts";
import { LightningFlow } from "./flow.ts";
import { resolveLimits, type StateLimits } from "./state-limits.ts";
import type { LightningWork } from "./work.ts";

/** Options of a {@link LightningApp}. */
export interface AppOptions {
  /** A name for the app (shown in the UI and used by `lit` commands). */
  name?: string;
  /**
   * Bounds on the state and on what clients change at once; each one left
   * out keeps its default (see {@link StateLimits}: 16 MiB of state, 1,000
   * operations and 1 MiB written per patch, values 64 levels deep).
   */
  limits?: Partial<StateLimits>;
}

type AutoStart = (app: LightningApp) => void;
let autoStart: AutoStart | undefined;
let lastApp: LightningApp | undefined;

/** The app constructed last in this thread: how a worker finds the app its module built. */
export function lastConstructedApp(): LightningApp | undefined {
  return lastApp;
}

/**
 * Sets what happens when an app is constructed. The `lit-app` package uses it
 * to start apps whose file is run directly; the core alone never starts one.
 */
export function setAutoStart(hook: AutoStart | undefined): void {
  autoStart = hook;
}

/** The flow that hosts an app made of a single work. */
class SingleWorkFlow extends LightningFlow {
  work: LightningWork;
  constructor(work: LightningWork) {
    super();
    this.work = work;
  }
  run(): void {
    this.work.run();
  }
}

/**
 * An app: a root flow (or a single work) with everything below it.
 * @example
 * export default new L.LightningApp(new Workflow());
 */
export class LightningApp {
  readonly root: LightningFlow;
  readonly name: string;
  /** The app's state limits: its `limits` option over the defaults. */
  readonly limits: Readonly<StateLimits>;

  constructor(root: LightningFlow | LightningWork, options: AppOptions = {}) {
    const limits = resolveLimits(options.limits);
    const core = coreOf(root);
    if (!core || (core.kind !== "flow" && core.kind !== "work")) {
      throw new ComponentError("E_ALREADY_ATTACHED", "LightningApp takes a LightningFlow or a LightningWork as its root.");
    }
    if (core.kind === "work") root = new SingleWorkFlow(root as LightningWork);
    const rootCore = coreOf(root)!;
    if (rootCore.parent || rootCore.rootName) {
      throw new ComponentError(
        "E_ALREADY_ATTACHED",
        `${rootCore.className} is already attached as ${rootCore.name}; an app's root must be a fresh flow.`,
      );
    }
    rootCore.rootName = "root";
    this.root = root as LightningFlow;
    this.name = options.name ?? "app";
    this.limits = limits;
    lastApp = this;
    autoStart?.(this);
  }
}
