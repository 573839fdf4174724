/**
 * Control signals thrown through a flow's `run()` to end a pass early. They
 * are not errors: a `try`/`catch` in `run()` should rethrow them
 * (`if (L.isControlSignal(e)) throw e`).
 *
 * A catch that swallows one does not undo it: the signal that ended the pass
 * is remembered until the pass is over ({@link beginPass}, {@link endPass}),
 * and what the flow asks for after it in that pass (a work call, `stop()`,
 * `fail()`) throws that signal again instead of acting. The runtime reports
 * the swallowing once the pass has returned.
 */

/** Thrown by `work.run()` in a flow when a non-parallel work has not finished the call yet. */
export class WaitingForWork {
  readonly work: string;
  readonly message: string;
  constructor(work: string) {
    this.work = work;
    this.message =
      `the flow pass stops here until ${work} has finished this call; lit-app re-runs the flow then. ` +
      `If you caught this in run(), rethrow it: if (L.isControlSignal(e)) throw e;`;
  }
}

/**
 * Thrown by `new` of a work in a flow's `run()` while the executor is still
 * finding out whether the work's class can be rebuilt where works run (see
 * `WorkExecutor.canRebuild`); lit-app re-runs the flow once it knows.
 */
export class WaitingForWorkClass {
  readonly className: string;
  readonly message: string;
  constructor(className: string) {
    this.className = className;
    this.message =
      `the flow pass stops here until lit-app knows where the class ${className} is exported (a work created inside run() is rebuilt ` +
      `from its class where it runs); lit-app re-runs the flow then. If you caught this in run(), rethrow it: if (L.isControlSignal(e)) throw e;`;
  }
}

/**
 * Thrown by a flow's first `schedule()` while the cron parser is still loading (it is loaded
 * only for apps whose flows schedule); lit-app re-runs the flow once it is loaded.
 */
export class WaitingForCron {
  readonly flow: string;
  readonly message: string;
  constructor(flow: string) {
    this.flow = flow;
    this.message =
      `the flow pass stops here until lit-app has loaded the cron parser for ${flow}.schedule(); lit-app re-runs the flow then. ` +
      `If you caught this in run(), rethrow it: if (L.isControlSignal(e)) throw e;`;
  }
}

/** Thrown by `stop()` and `fail()` to end the pass that called them. */
export class AppEnding {
  readonly failed: boolean;
  readonly message: string;
  constructor(failed: boolean, message: string) {
    this.failed = failed;
    this.message = message;
  }
}

/** A control signal. */
export type ControlSignal = WaitingForWork | WaitingForWorkClass | WaitingForCron | AppEnding;

/** True for the signals lit-app throws through a flow's `run()`; rethrow them. */
export function isControlSignal(value: unknown): boolean {
  return (
    value instanceof WaitingForWork || value instanceof WaitingForWorkClass || value instanceof WaitingForCron || value instanceof AppEnding
  );
}

/** Whether a pass is under way in this thread (passes are synchronous: one at a time). */
let inPass = false;
/** The signal that ended the pass under way. */
let ending: ControlSignal | undefined;
/** Whether the flow went on past that signal and asked for something: a catch swallowed it. */
let heldBack = false;

/** How a pass ended. */
export interface PassEnd {
  /** The signal that ended the pass, if one did. */
  signal: ControlSignal | undefined;
  /** True when the flow asked for something after the signal (a catch had swallowed it) and was held back. */
  heldBack: boolean;
}

/** Starts a pass of a flow (or a handler run in the flow's loop): no signal has ended it yet. */
export function beginPass(): void {
  inPass = true;
  ending = undefined;
  heldBack = false;
}

/** Ends the pass; says how it ended. */
export function endPass(): PassEnd {
  const end = { signal: ending, heldBack };
  inPass = false;
  ending = undefined;
  heldBack = false;
  return end;
}

/**
 * Notes that `signal` ends the pass under way and returns it, to be thrown; the first one
 * counts. Outside a pass it is only returned.
 */
export function endsPass<T extends ControlSignal>(signal: T): T {
  if (inPass) ending ??= signal;
  return signal;
}

/**
 * Throws the signal that already ended the pass under way, if one did: the flow went on
 * past it (a catch swallowed it) and asks for something it should not reach yet.
 */
export function holdBackIfEnded(): void {
  if (!ending) return;
  heldBack = true;
  throw ending;
}
