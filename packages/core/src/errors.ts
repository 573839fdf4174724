/**
 * Every error the core raises. Each has a literal `code` so callers can branch
 * on it, and a message that says what was wrong, where, and what to do.
 */

/** The codes of {@link LitError}s raised by the core. */
export type LitErrorCode =
  | "E_STATE_VALUE"
  | "E_RESERVED_FIELD"
  | "E_COMPUTE_NAME"
  | "E_COMPUTE_OPTION"
  | "E_WORK_OPTION"
  | "E_FLOW_ASYNC"
  | "E_WORK_NO_RUN"
  | "E_WORK_CLASS"
  | "E_FLOW_NO_RUN"
  | "E_ALREADY_ATTACHED"
  | "E_CHILD_KEY"
  | "E_CRON"
  | "E_CALL_ARGUMENT"
  | "E_PATCH"
  | "E_STATE_LIMIT"
  | "E_STATE_SHAPE"
  | "E_WORK_FAILED"
  | "E_WORK_STOPPED"
  | "E_FLOW_FAILED"
  | "E_APP_FAILED"
  | "E_APP_STATE"
  | "E_APP_OPTION"
  | "E_CLIENT_SCHEMA"
  | "E_NOT_SETTLED"
  | "E_HTTP"
  | "E_PATH"
  | "E_PATH_MISSING"
  | "E_NO_STORAGE"
  | "E_DRIVE"
  | "E_DRIVE_CONFLICT"
  | "E_DRIVE_OWNER"
  | "E_DRIVE_NOT_FOUND"
  | "E_PAYLOAD"
  | "E_JOURNAL";

/**
 * Base class of every error lit-app raises on purpose. The core's own have a
 * {@link LitErrorCode}; a package with codes of its own names them with `C`
 * (`class ServerError extends LitError<ServerErrorCode>`), so that every error
 * lit-app raises is a `LitError` with a literal `code`.
 */
export class LitError<C extends string = LitErrorCode> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A value that cannot be state: a function, a class instance, a cycle, a BigInt... */
export class StateValueError extends LitError {
  /** Dotted name (or class name) of the component. */
  readonly component: string;
  /** The offending field, as a user writes it: `results[2].fn`. */
  readonly field: string;
  /** What the value was, e.g. `holds a function.` */
  readonly problem: string;
  constructor(component: string, field: string, problem: string, message: string) {
    super("E_STATE_VALUE", message);
    this.component = component;
    this.field = field;
    this.problem = problem;
  }
}

/** A field name that the framework uses itself. */
export class ReservedFieldError extends LitError {
  constructor(message: string) {
    super("E_RESERVED_FIELD", message);
  }
}

/** An unknown CloudCompute name or a bad CloudCompute option. */
export class ComputeError extends LitError {}

/** A bad option passed to a LightningWork constructor. */
export class WorkOptionError extends LitError {
  constructor(message: string) {
    super("E_WORK_OPTION", message);
  }
}

/** A mistake in how components are defined or attached. */
export class ComponentError extends LitError {}

/**
 * The class of a work created inside a flow's `run()` cannot be found where
 * the work runs (it is rebuilt there from its class): the class is exported
 * from no module of the app.
 */
export class WorkClassError extends LitError {
  constructor(message: string) {
    super("E_WORK_CLASS", message);
  }
}

/** An invalid cron string or schedule option. */
export class CronError extends LitError {
  constructor(message: string, cause?: unknown) {
    super("E_CRON", message, { cause });
  }
}

/** `work.run()` was called with an argument that cannot cross to a work. */
export class CallArgumentError extends LitError {
  constructor(message: string) {
    super("E_CALL_ARGUMENT", message);
  }
}

/** A malformed or forbidden JSON Patch. Nothing of it was applied. */
export class PatchError extends LitError {
  constructor(message: string) {
    super("E_PATCH", message);
  }
}

/** Which of an app's {@link StateLimits} a change would pass. */
export type StateLimitName = "stateBytes" | "patchOps" | "patchBytes" | "depth";

/**
 * A patch, a request body or a handler's change that would pass one of the
 * app's state limits. Nothing of a refused patch was applied; a handler's
 * refused write was not made. The app server answers 413 (`depth`: 400).
 */
export class StateLimitError extends LitError {
  /** The limit that would be passed. */
  readonly limit: StateLimitName;
  /** The component concerned, when one is. */
  readonly component: string | undefined;
  /** The field concerned, as a user writes it (`results[2].name`), when one is. */
  readonly field: string | undefined;
  constructor(limit: StateLimitName, message: string, where: { component?: string; field?: string } = {}) {
    super("E_STATE_LIMIT", message);
    this.limit = limit;
    this.component = where.component;
    this.field = where.field;
  }
}

/**
 * A patch that would change the shape of a component's state: remove a
 * declared field, add an undeclared one, change a field's JSON type, or break
 * the component's `clientSchema`. Nothing of it was applied.
 */
export class StateShapeError extends LitError {
  /** Dotted name of the component. */
  readonly component: string;
  /** The field, as a user writes it (`tags[0]`). */
  readonly field: string;
  /** Why, e.g. `a patch cannot remove a declared field`. */
  readonly reason: string;
  constructor(component: string, field: string, reason: string, message: string) {
    super("E_STATE_SHAPE", message);
    this.component = component;
    this.field = field;
    this.reason = reason;
  }
}

/** A work's `run()` threw, or its thread or process died. */
export class WorkFailedError extends LitError {
  /** Dotted name of the work, e.g. `root.workA`. */
  readonly work: string;
  constructor(work: string, message: string, stack?: string) {
    super("E_WORK_FAILED", message);
    this.work = work;
    // Without the work's own stack, the message alone: the framework's frames would say nothing about where.
    this.stack = stack || message;
  }
}

/** A flow called `run()` on a work it had stopped, with a call the work would have to run. */
export class WorkStoppedError extends LitError {
  /** Dotted name of the work, e.g. `root.server`. */
  readonly work: string;
  constructor(work: string, message: string) {
    super("E_WORK_STOPPED", message);
    this.work = work;
  }
}

/** A flow's `run()` threw, or a flow called `fail()`. */
export class FlowFailedError extends LitError {
  readonly flow: string;
  constructor(flow: string, message: string, options?: { cause?: unknown }) {
    super("E_FLOW_FAILED", message, options);
    this.flow = flow;
  }
}

/** The app was used in a way its current stage does not allow. */
export class AppStateError extends LitError {
  constructor(message: string) {
    super("E_APP_STATE", message);
  }
}

/**
 * An app's journal (its durable state) cannot be resumed: it is unreadable or
 * foreign, or the app's component tree no longer matches the one it recorded.
 */
export class JournalError extends LitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("E_JOURNAL", message, options);
  }
}

/**
 * Thrown by an API route or command handler to answer with an HTTP status.
 * @example
 * if (!this.models.includes(id)) throw new L.HttpError(404, `no model "${id}"; see GET /models`);
 */
export class HttpError extends LitError {
  /** The HTTP status to answer with (400-599). */
  readonly status: number;
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super("E_HTTP", message, options);
    this.status = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
  }
}

/** A file or folder name that cannot be a Path or a Drive entry: absolute, climbing out with `..`, reserved... */
export class PathError extends LitError {
  /** The name as it was given. */
  readonly path: string;
  constructor(path: string, message: string) {
    super("E_PATH", message);
    this.path = path;
  }
}

/** A Path was handed to a work, but its origin never wrote it (it failed, has not run yet, or wrote elsewhere). */
export class MissingPathError extends LitError {
  readonly path: string;
  /** The work that wrote (or was to write) the Path. */
  readonly origin: string;
  /** The work that was to receive it. */
  readonly receiver: string;
  constructor(path: string, origin: string, receiver: string) {
    super(
      "E_PATH_MISSING",
      `${receiver} was handed the Path "${path}" from ${origin}, but ${origin} has not written it: ` +
        `there is no "${path}" in ${origin}'s storage root (${origin} failed, has not run yet, or wrote the file elsewhere). ` +
        `Write the file at String(path) in ${origin}'s run() before the flow hands the Path to ${receiver}.`,
    );
    this.path = path;
    this.origin = origin;
    this.receiver = receiver;
  }
}

/** A Path, Drive or Payload was used where there is no storage: in a flow, or under an executor given none. */
export class StorageUnavailableError extends LitError {
  constructor(message: string) {
    super("E_NO_STORAGE", message);
  }
}

/** A bad Drive id or option, or a Drive used where it cannot be (in a flow). */
export class DriveError extends LitError {
  constructor(message: string) {
    super("E_DRIVE", message);
  }
}

/** Two works put the same name in a Drive that does not allow duplicates. */
export class DriveConflictError extends LitError {
  readonly drive: string;
  readonly path: string;
  /** The work that put the name first. */
  readonly owner: string;
  constructor(drive: string, path: string, owner: string, work: string) {
    super(
      "E_DRIVE_CONFLICT",
      `${work} cannot put "${path}" in the Drive ${drive}: ${owner} already put it there. ` +
        `Put it under another name, delete it from ${owner} first, or create the Drive with { allowDuplicates: true }.`,
    );
    this.drive = drive;
    this.path = path;
    this.owner = owner;
  }
}

/** A work tried to delete a Drive file that another work put. */
export class DriveOwnershipError extends LitError {
  readonly drive: string;
  readonly path: string;
  readonly owner: string;
  constructor(drive: string, path: string, owner: string, work: string) {
    super(
      "E_DRIVE_OWNER",
      `${work} cannot delete "${path}" from the Drive ${drive}: ${owner} put it there, and a work deletes only its own files. ` +
        `Delete it from ${owner}'s run().`,
    );
    this.drive = drive;
    this.path = path;
    this.owner = owner;
  }
}

/** A name that no work (or not the work asked for) put in a Drive. */
export class DriveNotFoundError extends LitError {
  readonly drive: string;
  readonly path: string;
  constructor(drive: string, path: string, message: string) {
    super("E_DRIVE_NOT_FOUND", message);
    this.drive = drive;
    this.path = path;
  }
}

/** A Payload that cannot be made, stored or read here. */
export class PayloadError extends LitError {
  constructor(message: string) {
    super("E_PAYLOAD", message);
  }
}

/** A plain description of an error, as it crosses a thread or a network. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** The error's `code` when it had a string one: a {@link LitError}'s, or Node's (`ENOENT`). */
  code?: string;
  /** The error's `cause`, described the same way. */
  cause?: SerializedError;
}

/** How many causes deep {@link serializeError} goes (a cause chain may be long, or loop). */
const MAX_CAUSES = 8;

/**
 * Turns anything thrown into a {@link SerializedError}, the one way lit-app
 * does it. An Error keeps its name, message, stack, string `code` and `cause`
 * (causes up to 8 deep, a loop cut where it comes back). A thrown string is the
 * message; any other value that is not an Error (`throw null`, `throw 42`,
 * `throw {}`) gets a message that shows the value and says why there is no stack.
 */
export function serializeError(error: unknown): SerializedError {
  return serializeChain(error, []);
}

function serializeChain(error: unknown, seen: readonly unknown[]): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    if (error.stack) out.stack = error.stack;
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") out.code = code;
    const chain = [...seen, error];
    if (error.cause !== undefined && !chain.includes(error.cause) && chain.length <= MAX_CAUSES) out.cause = serializeChain(error.cause, chain);
    return out;
  }
  if (typeof error === "string" && error.trim() !== "") return { name: "Error", message: error };
  return {
    name: "Error",
    message:
      `${describeThrown(error)} was thrown, not an Error, so there is no stack to show where. ` +
      `Throw an Error instead: throw new Error("what went wrong").`,
  };
}

function describeThrown(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  switch (typeof value) {
    case "string":
      return `the empty string ${JSON.stringify(value)}`;
    case "symbol":
      return `the symbol ${value.toString()}`;
    case "bigint":
      return `the bigint ${value}n`;
    case "function":
      return value.name ? `the function ${value.name}` : "a function";
    case "object": {
      const cls = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
      const kind = Array.isArray(value) ? "the array" : cls && cls !== "Object" ? `a ${cls} object` : "the object";
      let json: string | undefined;
      try {
        json = JSON.stringify(value);
      } catch {
        // A cycle or a BigInt: the kind alone says enough.
      }
      if (json === undefined) return kind;
      return `${kind} ${json.length > 200 ? `${json.slice(0, 200)}…` : json}`;
    }
    default:
      return `the ${typeof value} ${String(value)}`;
  }
}
