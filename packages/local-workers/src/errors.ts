/** The errors local-workers raises on purpose. */
import { LitError } from "@lit-app/core";

/** The codes of local-workers' errors. */
export type LocalWorkersErrorCode = "E_WORK_PROTOCOL";

/**
 * A work sent a message that is not part of the work protocol (or out of
 * place in it). The message is dropped and reported; the app goes on.
 */
export class WorkProtocolError extends LitError<LocalWorkersErrorCode> {
  /** Dotted name of the work that sent it. */
  readonly work: string;
  constructor(work: string, message: string) {
    super("E_WORK_PROTOCOL", message);
    this.name = "WorkProtocolError";
    this.work = work;
  }
}
