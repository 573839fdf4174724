/**
 * The work's side of a work: finds (or rebuilds) one work of an app in a
 * worker thread or a remote process, keeps its fields in step with the
 * flow's view, and reports each change it makes as a {@link VarOp}.
 */
import type { LightningApp } from "./app.ts";
import { coreOf, type ComponentCore } from "./component.ts";
import { ComponentError, WorkClassError } from "./errors.ts";
import type { ComponentContext } from "./component-context.ts";
import type { StoragePort } from "./ports.ts";
import { bindStorage } from "./storage/context.ts";
import { prepareRun } from "./storage/prepare.ts";
import { varsOf } from "./state-document.ts";
import { decodeState, type JsonValue } from "./state-value.ts";
import { applyVarOp, type VarOp } from "./var-ops.ts";
import { knownWorkClasses, LightningWork, type WorkClass } from "./work.ts";
import type { WorkCore } from "./work-core.ts";
import { runMethodOf } from "./work-run.ts";

/** What is needed to load one work on its own side. */
export interface LoadWorkOptions {
  /** The app as its module built it here, if it did. */
  app: LightningApp | undefined;
  /** Dotted name of the work. */
  name: string;
  /** Class name, to rebuild a work created at run time. */
  className: string;
  /** The options object the work was constructed with on the flow's side. */
  constructorOptions: unknown;
  /** The work's fields as the flow sees them. */
  state: { [key: string]: JsonValue };
  /** Module exports to look for work classes in: the app module's, or those of the module that defines the class. */
  exports?: Record<string, unknown>;
  /** The name `exports` holds the class under, when the flow found which module exports it. */
  exportName?: string;
  /** Called for every change the work makes to its own fields. */
  onOp(op: VarOp): void;
  /** The clock of the side that runs it. */
  now(): number;
  /** The storage of this side: Paths the work receives are made present through it before `run()`. */
  storage?: StoragePort;
}

/** A work loaded on its own side. */
export interface LoadedWork {
  readonly work: LightningWork;
  /** Applies changes the flow made to the work's fields. */
  applyOps(ops: readonly VarOp[]): void;
  /** Runs the user's `run()` with encoded arguments. */
  run(args: readonly JsonValue[]): Promise<unknown>;
  /** The work's public fields, encoded: a snapshot the flow resyncs from. */
  state(): { [key: string]: JsonValue };
}

function findInTree(app: LightningApp | undefined, name: string): ComponentCore | undefined {
  if (!app) return undefined;
  const keys = name.split(".");
  let node = coreOf(app.root);
  if (!node || keys[0] !== node.name) return undefined;
  for (const key of keys.slice(1)) {
    node = node.children.get(key);
    if (!node) return undefined;
  }
  return node;
}

function isWorkClass(value: unknown): value is WorkClass {
  return typeof value === "function" && value.prototype instanceof LightningWork;
}

function findClass(className: string, exports: Record<string, unknown> | undefined, exportName: string | undefined): WorkClass | undefined {
  const exported = exportName === undefined ? undefined : exports?.[exportName];
  if (isWorkClass(exported)) return exported;
  const known = knownWorkClasses().get(className);
  if (known) return known;
  for (const value of Object.values(exports ?? {})) {
    if (isWorkClass(value) && value.name === className) return value;
  }
  return undefined;
}

/**
 * Finds the work `name` in the app built here, or rebuilds it from its class
 * (for works created at run time), and binds it so its changes are reported.
 */
export function loadWork(options: LoadWorkOptions): LoadedWork {
  let core = findInTree(options.app, options.name);
  if (!core) {
    const cls = findClass(options.className, options.exports, options.exportName);
    if (!cls) {
      throw new WorkClassError(
        `${options.name}: the work's class ${options.className} was not found where the work runs. ` +
          `A work created inside run() is rebuilt there from its class: export ${options.className} from the module that defines it.`,
      );
    }
    const work = new cls(options.constructorOptions as never);
    core = coreOf(work)!;
    core.rootName = options.name;
  }
  if (core.kind !== "work") {
    throw new ComponentError("E_WORK_NO_RUN", `${options.name} is a ${core.kind}, not a work.`);
  }
  const workCore = core as WorkCore;
  const context: ComponentContext = {
    pass: 0,
    record: (_c, op) => options.onOp(op),
    attached: () => undefined,
    detached: () => undefined,
    callWork: () => {
      throw new ComponentError("E_WORK_NO_RUN", `${options.name}: a work cannot call other works; call them from a flow.`);
    },
    stopWork: () => undefined,
    statusChanged: () => undefined,
    now: options.now,
    wakeAt: () => undefined,
    end: () => undefined,
  };
  for (const key of Object.keys(workCore.fields)) {
    if (!key.startsWith("_") && !workCore.children.has(key) && !(key in options.state)) workCore.fields[key] = undefined;
  }
  for (const [key, value] of Object.entries(options.state)) workCore.fields[key] = decodeState(value);
  workCore.bind(context);
  bindStorage(workCore, options.storage, true);
  const work = workCore.proxy as LightningWork;
  return {
    work,
    applyOps(ops) {
      for (const op of ops) applyVarOp(workCore.fields, op, options.name);
    },
    run: (args) => runWorkCall(workCore, args, options.storage),
    state: () => varsOf(workCore),
  };
}

/**
 * Runs one call of a work's `run()` on its side: decodes the arguments,
 * makes the Paths among them present through `storage`, and awaits the
 * user's `run()`. The step of the shared work runner that touches the work.
 */
export async function runWorkCall(workCore: WorkCore, args: readonly JsonValue[], storage: StoragePort | undefined): Promise<unknown> {
  const work = workCore.proxy as LightningWork;
  const decoded = args.map(decodeState);
  await prepareRun(workCore, workCore.fields, decoded, storage);
  return runMethodOf(work).apply(work, decoded);
}
