/**
 * LightningWork: a unit of code that runs on chosen hardware. Locally each
 * work runs in its own worker thread; on hosts, in its own process.
 */
import { CORE } from "./component.ts";
import { CloudCompute } from "./compute.ts";
import { ComponentError, WorkOptionError } from "./errors.ts";
import { currentOrigin } from "./origin.ts";
import type { WorkStatus } from "./status.ts";
import { recordCreation } from "./work-creation.ts";
import { WorkCore, workReserved, type ResolvedWorkOptions } from "./work-core.ts";

/** Options of a {@link LightningWork}. */
export interface WorkOptions {
  /** `true`: the flow's `run()` goes on while the work runs. Default `false`. */
  parallel?: boolean;
  /** `true`: a call whose arguments already succeeded is a no-op. Default `true`. */
  cacheCalls?: boolean;
  /** `true`: a failure in `run()` fails the app. `false`: it only marks the work failed. Default `true`. */
  raiseException?: boolean;
  /** The hardware to run on. Default `new CloudCompute("default")`. */
  cloudCompute?: CloudCompute;
  /** The port the work serves HTTP on, if any. */
  port?: number;
  /** Start the work's thread or process when the app starts, before the first call. Default `true`. */
  startWithFlow?: boolean;
  /**
   * Where the work runs locally: `"thread"`, a worker thread of the app's
   * process, or `"process"`, its own OS process (a work that runs out of
   * memory then fails alone, with reason `out of memory`, on every runtime).
   * Default: the app's (`lit run --isolation process` or
   * `LIT_ISOLATION=process`), else `"thread"`. Its memory limit is the
   * CloudCompute's `memoryMiB`.
   */
  isolation?: WorkIsolation;
}

/** Where a work runs locally: a worker thread, or its own OS process. */
export type WorkIsolation = "thread" | "process";

const OPTION_NAMES = ["parallel", "cacheCalls", "raiseException", "cloudCompute", "port", "startWithFlow", "isolation"] as const;

function resolveOptions(className: string, options: WorkOptions): ResolvedWorkOptions {
  if (options === null || typeof options !== "object") {
    throw new WorkOptionError(`${className}: the work's options must be an object such as { parallel: true }.`);
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new WorkOptionError(`${className}: unknown work option "${key}". Valid options: ${OPTION_NAMES.join(", ")}.`);
    }
  }
  const flag = (key: "parallel" | "cacheCalls" | "raiseException" | "startWithFlow", fallback: boolean): boolean => {
    const v = options[key];
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") throw new WorkOptionError(`${className}: option "${key}" must be true or false, got ${JSON.stringify(v)}.`);
    return v;
  };
  const compute = options.cloudCompute ?? new CloudCompute("default");
  if (!(compute instanceof CloudCompute)) {
    throw new WorkOptionError(`${className}: option "cloudCompute" must be a CloudCompute, e.g. new L.CloudCompute("gpu").`);
  }
  const port = options.port;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new WorkOptionError(`${className}: option "port" must be an integer from 1 to 65535, got ${JSON.stringify(port)}.`);
  }
  const isolation = options.isolation;
  if (isolation !== undefined && isolation !== "thread" && isolation !== "process") {
    throw new WorkOptionError(`${className}: option "isolation" must be "thread" or "process", got ${JSON.stringify(isolation)}.`);
  }
  return {
    isolation,
    parallel: flag("parallel", false),
    cacheCalls: flag("cacheCalls", true),
    raiseException: flag("raiseException", true),
    startWithFlow: flag("startWithFlow", true),
    cloudCompute: compute,
    port,
  };
}

let reserved: ReadonlySet<string> | undefined;

/** A concrete LightningWork subclass, whatever its constructor takes (see `rebuildWith`). */
export type WorkClass = new (options: never) => LightningWork;

const workClasses = new Map<string, WorkClass>();

/**
 * Makes a work class known in this thread by its name, so that a work of it
 * created at run time can be rebuilt where it runs even when the app's module
 * does not export the class. A library that ships work classes calls it when
 * loaded; classes are also remembered when first instantiated.
 */
export function registerWorkClass(cls: WorkClass): void {
  if (cls.name && !workClasses.has(cls.name)) workClasses.set(cls.name, cls);
}

/** The work classes instantiated so far in this thread, by class name. */
export function knownWorkClasses(): ReadonlyMap<string, WorkClass> {
  return workClasses;
}

function wc(work: LightningWork): WorkCore {
  return (work as unknown as { [CORE]: WorkCore })[CORE];
}

/**
 * A unit of work. Subclass it and define `run(...args)`; its public fields are
 * state that the flow sees change live.
 * @example
 * class Train extends L.LightningWork {
 *   loss: number | null = null;
 *   async run(epochs: number) {
 *     for (let i = 0; i < epochs; i++) this.loss = 1 / (i + 1);
 *   }
 * }
 * const train = new Train({ cloudCompute: new L.CloudCompute("gpu") });
 */
export abstract class LightningWork {
  /**
   * @param options the work's options.
   * @param rebuildWith what a worker passes to this class's constructor to
   *   rebuild the work where it runs (a work created at run time). Default:
   *   `options`. A subclass whose constructor takes more than the work options
   *   passes its whole argument here. It must survive a structured clone.
   */
  constructor(options: WorkOptions = {}, rebuildWith: unknown = options) {
    const className = new.target.name || "LightningWork";
    if (typeof (new.target.prototype as { run?: unknown }).run !== "function") {
      throw new ComponentError(
        "E_WORK_NO_RUN",
        `${className} has no run() method. A LightningWork subclass must define run(...args), the code the work runs.`,
      );
    }
    reserved ??= workReserved(LightningWork.prototype);
    registerWorkClass(new.target as unknown as WorkClass);
    const core = new WorkCore(this, className, reserved, resolveOptions(className, options), 0);
    core.constructorOptions = rebuildWith;
    // Created inside run(): its thread rebuilds it from its class, which may have to be looked for.
    if (currentOrigin() === "flow") recordCreation(core.proxy, new.target);
    return core.proxy as this;
  }

  /** The work's code. Called from a flow, it returns at once; see the docs on blocking calls. */
  abstract run(...args: any[]): unknown;

  /** Dotted name, e.g. `root.workA`. */
  get name(): string {
    return wc(this).name;
  }
  /**
   * The status of the latest call the flow sent (or `stopped`). A parallel work called again
   * before its previous call finished shows the new call's status: the older call's late
   * success counts in {@link numSuccesses} but does not mark the work succeeded, and its
   * failure fails the app (`raiseException: true`) or is reported in the app's log.
   */
  get status(): WorkStatus {
    return { ...wc(this).status };
  }
  get hasStarted(): boolean {
    return wc(this).status.stage !== "not_started";
  }
  get isPending(): boolean {
    return wc(this).status.stage === "pending";
  }
  get isRunning(): boolean {
    return wc(this).status.stage === "running";
  }
  get hasSucceeded(): boolean {
    return wc(this).status.stage === "succeeded";
  }
  get hasFailed(): boolean {
    return wc(this).status.stage === "failed";
  }
  get hasStopped(): boolean {
    return wc(this).status.stage === "stopped";
  }
  /** How many calls have succeeded. */
  get numSuccesses(): number {
    return wc(this).numSuccesses;
  }
  get cloudCompute(): CloudCompute {
    return wc(this).options.cloudCompute;
  }
  get parallel(): boolean {
    return wc(this).options.parallel;
  }
  get cacheCalls(): boolean {
    return wc(this).options.cacheCalls;
  }
  get raiseException(): boolean {
    return wc(this).options.raiseException;
  }
  get startWithFlow(): boolean {
    return wc(this).options.startWithFlow;
  }
  /** Where the work serves HTTP, once it does: `http://127.0.0.1:7000`, else `""`. */
  get url(): string {
    return wc(this).url;
  }
  /** The address the work binds to. */
  get host(): string {
    return wc(this).bindAddress;
  }
  /** The port the work serves on, if one was given or assigned. */
  get port(): number | undefined {
    return wc(this).options.port;
  }

  /**
   * Ends the work's thread or process and its children (called from a flow); its status
   * becomes `stopped`, and a result of the call it was running is dropped. A stopped work
   * does not run again (as in the original framework, a work starts once). `run()` on it
   * afterwards with new arguments throws WorkStoppedError (`E_WORK_STOPPED`), which fails the
   * app at that line; with the arguments of a call it had (the flow meets its calls again as
   * `run()` re-executes from the top) it does nothing and does not block, and the app's log
   * says so once (not for a finished call with `cacheCalls`, a no-op anyway). To run it
   * again, put a new work in its place.
   * @example
   * if (this.notebook.hasStopped) this.notebook = new Notebook({ parallel: true });
   * this.notebook.run(username);
   */
  stop(): void {
    const core = wc(this);
    core.context?.stopWork(core);
  }
}
