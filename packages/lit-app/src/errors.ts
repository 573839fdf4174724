/**
 * Errors of the built-in works shipped with lit-app. Each carries a literal
 * `code` and says what was wrong, where, and what to do.
 */
import { LitError } from "@lit-app/core";

/** A {@link CommandWork}'s options (or its command fields, as changed later) are not valid. */
export class CommandOptionError extends LitError {
  declare readonly code: "E_WORK_OPTION";
  constructor(message: string) {
    super("E_WORK_OPTION", message);
  }
}

/** The command could not be started: its working directory is missing, it is not executable, ... */
export class CommandStartError extends LitError {
  declare readonly code: "E_WORK_FAILED";
  /** The program that was to run. */
  readonly command: string;
  /** The directory it was to run in. */
  readonly cwd: string;
  constructor(command: string, cwd: string, message: string, cause?: unknown) {
    super("E_WORK_FAILED", message, { cause });
    this.command = command;
    this.cwd = cwd;
  }
}

/** The command's program was not found (not on the PATH, or no such file). */
export class CommandNotFoundError extends CommandStartError {}

/** The command ran and ended with a non-zero exit code, or was killed by a signal. */
export class CommandFailedError extends LitError {
  declare readonly code: "E_WORK_FAILED";
  /** The exit code, or `null` when a signal ended the command. */
  readonly exitCode: number | null;
  /** The signal that ended the command, if one did, e.g. `SIGKILL`. */
  readonly signal: string | null;
  /** The last lines the command wrote to stderr (to stdout when stderr was empty). */
  readonly tail: readonly string[];
  constructor(exitCode: number | null, signal: string | null, tail: readonly string[], message: string) {
    super("E_WORK_FAILED", message);
    this.exitCode = exitCode;
    this.signal = signal;
    this.tail = tail;
  }
}
