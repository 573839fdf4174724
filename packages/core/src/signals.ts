/**
 * Control signals thrown through a flow's `run()` to end a pass early. They
 * are not errors: a `try`/`catch` in `run()` should rethrow them
 * (`if (L.isControlSignal(e)) throw e`).
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

/** Thrown by `stop()` and `fail()` to end the pass that called them. */
export class AppEnding {
  readonly failed: boolean;
  readonly message: string;
  constructor(failed: boolean, message: string) {
    this.failed = failed;
    this.message = message;
  }
}

/** True for the signals lit-app throws through a flow's `run()`; rethrow them. */
export function isControlSignal(value: unknown): boolean {
  return value instanceof WaitingForWork || value instanceof AppEnding;
}
