/** Errors of the worker-thread executor. */
import { LitError } from "@lit-app/core";

/** A worker thread could not be started or set up for its work. */
export class WorkerStartError extends LitError {
  readonly work: string;
  constructor(work: string, message: string, cause?: unknown) {
    super("E_WORK_FAILED", `${work}: its worker thread could not start: ${message}`, { cause });
    this.work = work;
  }
}
