/**
 * Where a work was created at run time (inside a flow's `run()`): it is
 * rebuilt where it runs from its class, so the class must be found there.
 * The engine asks its executor at the `new` ({@link creationCheck}); a class
 * that cannot be found fails there, at the user's line.
 */
import { WorkClassError } from "./errors.ts";
import type { WorkExecutor } from "./ports.ts";
import { endsPass, WaitingForWorkClass } from "./signals.ts";
import { knownWorkClasses, type LightningWork } from "./work.ts";

/** A work created inside a flow pass. */
export interface WorkCreation {
  /** The work's class, as the flow's thread knows it. */
  readonly cls: Function;
  /** Captured at the `new`: its stack starts at the user's line that created the work (formatted when read). */
  readonly site: Error;
}

/** Checks a creation inside a pass; throws to refuse it. */
export type CreationCheck = (creation: WorkCreation) => void;

const creations = new WeakMap<object, WorkCreation>();
/** The check of the pass under way (passes are synchronous: one at a time). */
let check: CreationCheck | undefined;

const captureStackTrace = (Error as { captureStackTrace?: (target: object, below?: Function) => void }).captureStackTrace;

/** An Error whose stack starts at the caller of `new cls` (the constructors of the class and its bases left out). */
function creationSite(cls: Function): Error {
  const site = new Error("created here");
  captureStackTrace?.(site, cls);
  return site;
}

/**
 * Records that `work` was created inside a flow pass, and checks (when an
 * engine's pass is under way) that its class can be rebuilt where it runs.
 * @throws WorkClassError when it cannot, WaitingForWorkClass while the executor looks.
 */
export function recordCreation(work: object, cls: Function): void {
  const creation = { cls, site: creationSite(cls) };
  check?.(creation);
  creations.set(work, creation);
}

/** How `work` was created, if it was created inside a flow pass (a work of the app's tree as its module builds it was not). */
export function workCreation(work: LightningWork): WorkCreation | undefined {
  return creations.get(work);
}

/** Runs `flow.run()` (a pass) with `creationCheck` asked at each work created in it. */
export function withCreationCheck<T>(creationCheck: CreationCheck, flow: { run(): T }): T {
  const previous = check;
  check = creationCheck;
  try {
    // Called here, not through a closure: the stack of a creation ends at this frame (see notRebuildable).
    return flow.run();
  } finally {
    check = previous;
  }
}

/**
 * The check an engine makes at each work created in its passes: asks
 * `executor.canRebuild`, once per class. The work classes this thread knows
 * when the engine is made (those of the tree the app's module built, and
 * those the framework registers, such as CommandWork) are known where works
 * run too, where the same modules load: they are not asked about.
 * @param answered called when an answer that was not known yet arrives: the flow must run again.
 */
export function creationCheck(executor: WorkExecutor, answered: () => void): CreationCheck {
  const known = new Map<Function, boolean>([...knownWorkClasses().values()].map((cls) => [cls, true]));
  return ({ cls, site }) => {
    if (!executor.canRebuild) return;
    const answer = known.get(cls) ?? executor.canRebuild(cls);
    if (typeof answer !== "boolean") {
      answer.then(
        (value) => known.set(cls, value),
        () => known.set(cls, true),
      ).then(answered);
      throw endsPass(new WaitingForWorkClass(cls.name));
    }
    known.set(cls, answer);
    if (!answer) throw notRebuildable(cls, site);
  };
}

/** `file:line:column` of a stack frame line (`    at f (file:1:2)` or `    at file:1:2`). */
function frameLocation(frame: string): string {
  const at = /\(([^()]+:\d+:\d+)\)\s*$/.exec(frame)?.[1] ?? /at\s+(?:async\s+)?(\S+:\d+:\d+)\s*$/.exec(frame)?.[1];
  return (at ?? frame.replace(/^\s*at\s+/, "")).replace(/^file:\/\//, "");
}

/** The error of a work created from a class that is found nowhere it could run: its stack starts at the `new`. */
function notRebuildable(cls: Function, site: Error): WorkClassError {
  const name = cls.name || "(anonymous class)";
  const frames = (site.stack ?? "").split("\n").filter((line) => /^\s*at\s/.test(line));
  // The user's frames only: from the `new` to the flow's run() the pass called.
  // (`at withCreationCheck`, or with a receiver where a module namespace calls it: `at Module.withCreationCheck`.)
  const pass = frames.findIndex((line) => /^\s*at\s+(?:[\w$]+\.)?withCreationCheck\s/.test(line));
  if (pass > 0) frames.length = pass;
  const where = frames[0] === undefined ? "" : `, created at ${frameLocation(frames[0])},`;
  const error = new WorkClassError(
    `the work's class ${name}${where} is exported from no module of the app, so the work cannot be rebuilt where it runs ` +
      `(a work created inside run() is rebuilt there from its class). Write \`export class ${name}\` in the module that defines it.`,
  );
  error.stack = [`${error.name}: ${error.message}`, ...frames].join("\n");
  return error;
}
