/** Errors of the `lit` command: each says what was wrong and what to type instead. */
import { LitError } from "@lit-app/core";

/** A mistake on the command line or in the app file given to it. */
export class UsageError extends LitError {
  constructor(message: string) {
    super("E_APP_STATE", message);
    this.name = "UsageError";
  }
}
