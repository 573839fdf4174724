/**
 * Every error the storage layer raises on purpose. Each has a literal `code`
 * so callers can branch on it, and a message that reads
 * `[storage] [<driver or stage>] <what was wrong>: <which> in <where>. <what to do>`.
 */

/** The codes of {@link StorageError}s. */
export type StorageErrorCode =
  | "E_BAD_HASH"
  | "E_BLOB_NOT_FOUND"
  | "E_RANGE"
  | "E_INTEGRITY"
  | "E_RESUME"
  | "E_UNSAFE_PATH"
  | "E_SYMLINK_ESCAPE"
  | "E_PATH_NOT_FOUND"
  | "E_PATH_CONFLICT"
  | "E_BAD_MANIFEST"
  | "E_SOURCE_CHANGED"
  | "E_CORRUPT"
  | "E_ABORTED"
  | "E_NO_SPACE"
  | "E_IO"
  | "E_TOO_LARGE"
  | "E_HTTP";

/** Base class of every error this package raises on purpose. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A string that is not a lowercase hex sha256 was given where a blob hash was expected. */
export class InvalidHashError extends StorageError {
  constructor(driver: string, hash: unknown) {
    super(
      "E_BAD_HASH",
      `[storage] [${driver}] invalid blob hash: ${JSON.stringify(hash)}. ` +
        "A blob hash is the sha256 of its bytes as 64 lowercase hex characters.",
    );
  }
}

/** The blob is not in the store. */
export class BlobNotFoundError extends StorageError {
  readonly hash: string;
  constructor(driver: string, hash: string, location: string, file?: string) {
    super(
      "E_BLOB_NOT_FOUND",
      `[storage] [${driver}] blob not found: ${hash}${file === undefined ? "" : ` (for ${JSON.stringify(file)})`} in ${location}. ` +
        "Write it first, or sync the file that holds it from the root that has it.",
    );
    this.hash = hash;
  }
}

/** A read asked for bytes past the end of a blob. */
export class RangeNotSatisfiableError extends StorageError {
  constructor(driver: string, hash: string, location: string, offset: number, size: number) {
    super(
      "E_RANGE",
      `[storage] [${driver}] offset ${offset} is past the end of blob ${hash} (${size} bytes) in ${location}. ` +
        "Read from an offset between 0 and the blob's size.",
    );
  }
}

/** The bytes that arrived do not hash to the name they were sent under (or are not the size announced). */
export class IntegrityError extends StorageError {
  readonly expected: string;
  readonly actual: string;
  readonly size: number;
  constructor(driver: string, location: string, expected: string, actual: string, size: number, why?: string) {
    super(
      "E_INTEGRITY",
      `[storage] [${driver}] checksum mismatch for blob ${expected} in ${location}: ` +
        `${why ?? `the ${size} bytes received hash to ${actual}`}. ` +
        "The blob was not stored; the source changed or was corrupted in transit, send it again.",
    );
    this.expected = expected;
    this.actual = actual;
    this.size = size;
  }
}

/** A resumed write started at an offset the store does not hold a partial blob up to. */
export class ResumeError extends StorageError {
  constructor(driver: string, hash: string, location: string, offset: number, held: number) {
    super(
      "E_RESUME",
      `[storage] [${driver}] cannot resume blob ${hash} at byte ${offset} in ${location}: ` +
        `only ${held} bytes of it are held. Ask partialSize() again, or send the blob from byte 0.`,
    );
  }
}

/** A relative name that would leave its root: `..`, an absolute path, a reserved or malformed name. */
export class UnsafePathError extends StorageError {
  readonly path: string;
  constructor(where: string, path: string, problem: string) {
    super(
      "E_UNSAFE_PATH",
      `[storage] [${where}] refused path ${JSON.stringify(path)}: ${problem}. ` +
        "Names must be relative paths inside the storage root, without '..', '.', empty or absolute parts.",
    );
    this.path = path;
  }
}

/** A symbolic link whose target lies outside the storage root, or a path that goes through one. */
export class SymlinkEscapeError extends StorageError {
  readonly path: string;
  constructor(where: string, path: string, target: string, root: string) {
    super(
      "E_SYMLINK_ESCAPE",
      `[storage] [${where}] refused symlink ${JSON.stringify(path)} -> ${JSON.stringify(target)}: ` +
        `it points outside the storage root ${root}. Only relative links that stay inside the root are synced; ` +
        "replace the link with the file itself or with a link inside the root.",
    );
    this.path = path;
  }
}

/** The path to sync does not exist in the source root. */
export class PathNotFoundError extends StorageError {
  constructor(where: string, path: string, root: string) {
    super(
      "E_PATH_NOT_FOUND",
      `[storage] [${where}] path not found: ${JSON.stringify(path)} in ${root}. ` +
        "Check the name, and that the work that writes it has run.",
    );
  }
}

/** The destination holds something of another kind where the manifest puts a file, folder or link. */
export class PathConflictError extends StorageError {
  constructor(where: string, path: string, root: string, problem: string) {
    super(
      "E_PATH_CONFLICT",
      `[storage] [${where}] cannot write ${JSON.stringify(path)} in ${root}: ${problem}. ` +
        "Move or delete what is there, then sync again.",
    );
  }
}

/** A manifest from outside that is not well formed. */
export class ManifestError extends StorageError {
  constructor(where: string, problem: string) {
    super("E_BAD_MANIFEST", `[storage] [${where}] invalid manifest: ${problem}.`);
  }
}

/** A source file changed between the time its hash was taken and the time it was read. */
export class SourceChangedError extends StorageError {
  readonly path: string;
  constructor(where: string, path: string, root: string) {
    super(
      "E_SOURCE_CHANGED",
      `[storage] [${where}] file changed while being synced: ${JSON.stringify(path)} in ${root}. ` +
        "Sync again once the writer has finished with it.",
    );
    this.path = path;
  }
}

/** A blob arrived corrupted during a sync; names the files that hold it. */
export class CorruptionError extends StorageError {
  readonly files: readonly string[];
  readonly hash: string;
  constructor(files: readonly string[], hash: string, cause: unknown) {
    const list = files.map((f) => JSON.stringify(f)).join(", ");
    super(
      "E_CORRUPT",
      `[storage] [sync] corrupted in transfer: ${list} (sha256 ${hash}). ` +
        `${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.files = files;
    this.hash = hash;
  }
}

/** A transfer was stopped through its AbortSignal; what arrived is kept so a later sync resumes. */
export class TransferAbortedError extends StorageError {
  readonly bytesSent: number;
  constructor(where: string, bytesSent: number, cause: unknown) {
    super(
      "E_ABORTED",
      `[storage] [${where}] transfer aborted after ${bytesSent} bytes. ` +
        "Partial data was kept; sync again to resume where it stopped.",
      { cause },
    );
    this.bytesSent = bytesSent;
  }
}

/**
 * The disk ran out of space (or the user's quota) while a file was written.
 * Nothing partial of that write was kept: neither a temp file nor a partial
 * blob, which would only hold on to the space that ran out.
 */
export class NoSpaceError extends StorageError {
  /** The file that was being written, relative to its root. */
  readonly path: string;
  /** The folder it was being written in. */
  readonly location: string;
  /** Its size, when known. */
  readonly bytes: number | undefined;
  /**
   * `hint` says what to do, in place of the default: free space on that disk.
   * @example new NoSpaceError("sync", "model.pt", "/runs/b", err, { bytes: 4e9 })
   */
  constructor(where: string, path: string, location: string, cause: unknown, options: { bytes?: number; hint?: string } = {}) {
    const size = options.bytes === undefined ? "" : ` (${formatBytes(options.bytes)})`;
    super(
      "E_NO_SPACE",
      `[storage] [${where}] no space left on the disk: cannot write ${JSON.stringify(path)}${size} in ${location}. ` +
        `Nothing partial was kept. ${options.hint ?? "Free space on that disk, then sync again."}`,
      { cause },
    );
    this.path = path;
    this.location = location;
    this.bytes = options.bytes;
  }
}

/** Whether `err` says the disk or the user's quota is full (ENOSPC, EDQUOT), or is a {@link NoSpaceError}. */
export function isNoSpace(err: unknown): boolean {
  return err instanceof NoSpaceError || isErrno(err, "ENOSPC") || isErrno(err, "EDQUOT");
}

/** A size for people: `512 B`, `3.0 MB`, `1.2 GB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A file system call failed; says which one, on what, and why. */
export class StorageIOError extends StorageError {
  constructor(where: string, action: string, path: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super("E_IO", `[storage] [${where}] cannot ${action} ${path}: ${why}`, { cause });
  }
}

/** Whether `err` is a Node-style system error with the given `code` (ENOENT, EEXIST...). */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === code;
}
