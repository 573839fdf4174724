import { StorageError } from "../errors.ts";

/**
 * A request over HTTP failed for a reason that is not a storage error of the
 * other side: the connection (refused, dropped), the token, or an answer that
 * is not the protocol's.
 */
export class HttpError extends StorageError {
  /** The HTTP status, when an answer came back. */
  readonly status: number | undefined;
  constructor(driver: string, location: string, request: string, problem: string, options: { status?: number; cause?: unknown } = {}) {
    super("E_HTTP", `[storage] [${driver}] ${request} to ${location} failed: ${problem}`, { cause: options.cause });
    this.status = options.status;
  }
}

/** A request or an answer over the limits of the storage routes (a manifest with too many entries...). */
export class TooLargeError extends StorageError {
  constructor(where: string, what: string, limit: string) {
    super(
      "E_TOO_LARGE",
      `[storage] [${where}] ${what} is over the limit of ${limit}. ` +
        "Sync a smaller folder at a time, or raise the limit where the storage routes are mounted.",
    );
  }
}
