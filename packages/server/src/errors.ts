/**
 * Every error the app server raises on purpose. Each has a literal `code`;
 * messages say what was wrong, where, and what to do.
 */
import { LitError } from "@lit-app/core";

/** Codes of {@link ServerError}s. */
export type ServerErrorCode =
  | "E_SERVER_PORT"
  | "E_SERVER_LISTEN"
  | "E_SERVER_ROUTE"
  | "E_SERVER_COMMAND"
  | "E_SERVER_TOKEN"
  | "E_COMMAND_ARGS"
  | "E_APP_NOT_FOUND"
  | "E_REMOTE";

/** Base class of the server's errors: a {@link LitError} with the server's own codes. */
export class ServerError extends LitError<ServerErrorCode> {}

/** No port could be bound: the chosen one (or all tried) is taken. */
export class PortInUseError extends ServerError {
  constructor(message: string, cause?: unknown) {
    super("E_SERVER_PORT", message, { cause });
  }
}

/** Bad server options (an address, a token). */
export class ServerOptionError extends ServerError {
  constructor(code: "E_SERVER_LISTEN" | "E_SERVER_TOKEN", message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A flow's `configureApi()` or `configureCommands()` declared something the server cannot serve. */
export class RouteConfigError extends ServerError {
  constructor(code: "E_SERVER_ROUTE" | "E_SERVER_COMMAND", message: string) {
    super(code, message);
  }
}

/** `lit <command> --key value` was given an argument the command does not take, or a value of the wrong type. */
export class CommandArgsError extends ServerError {
  constructor(message: string) {
    super("E_COMMAND_ARGS", message);
  }
}

/** No running app was found on this machine (or none by the name asked for). */
export class AppNotFoundError extends ServerError {
  constructor(message: string) {
    super("E_APP_NOT_FOUND", message);
  }
}

/** A running app answered a client call with an error. */
export class RemoteError extends ServerError {
  /** The HTTP status the app answered with. */
  readonly status: number;
  /** The app's error code, e.g. `E_PATCH`, when it gave one. */
  readonly remoteCode: string | undefined;
  constructor(status: number, message: string, remoteCode?: string) {
    super("E_REMOTE", message);
    this.status = status;
    this.remoteCode = remoteCode;
  }
}
