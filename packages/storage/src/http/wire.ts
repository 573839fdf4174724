/**
 * What crosses the network between the storage routes and their clients: the
 * limits, the JSON bodies (validated with zod on both sides) and errors as
 * `{ error: { code, message, details } }`, turned back into the same classes.
 */
import * as z from "zod";
import {
  BlobNotFoundError,
  CorruptionError,
  IntegrityError,
  InvalidHashError,
  ManifestError,
  NoSpaceError,
  PathConflictError,
  PathNotFoundError,
  RangeNotSatisfiableError,
  ResumeError,
  SourceChangedError,
  StorageError,
  StorageIOError,
  SymlinkEscapeError,
  TransferAbortedError,
  UnsafePathError,
} from "../errors.ts";
import type { StorageErrorCode } from "../errors.ts";
import { HttpError, TooLargeError } from "./errors.ts";

/** Limits of what the storage routes accept and their clients take back. */
export interface StorageLimits {
  /** Bytes of a manifest's JSON; 256 MiB by default. */
  readonly manifestBytes: number;
  /** Entries of a manifest; 1,000,000 by default. */
  readonly manifestEntries: number;
  /** Hashes asked about in one request; 100,000 by default (clients split larger batches). */
  readonly hashesPerRequest: number;
  /** Bytes of one blob uploaded; 1 TiB by default. */
  readonly blobBytes: number;
}

/** The default {@link StorageLimits}. */
export const DEFAULT_LIMITS: StorageLimits = {
  manifestBytes: 256 * 1024 * 1024,
  manifestEntries: 1_000_000,
  hashesPerRequest: 100_000,
  blobBytes: 1024 ** 4,
};

/** Header with a blob's full size, on HEAD and GET answers. */
export const SIZE_HEADER = "x-lit-blob-size";

const hash = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 as 64 lowercase hex characters");

/** `{ hashes }`: the body of the "which of these do you miss?" requests. */
export function hashesBody(limits: StorageLimits) {
  return z.strictObject({ hashes: z.array(hash).max(limits.hashesPerRequest) });
}

/** `{ missing }`: their answer. */
export const missingAnswer = z.strictObject({ missing: z.array(hash) });

/** A stored blob, as sent by HEAD/PUT/list. */
export const blobInfo = z.strictObject({ hash, size: z.number().int().min(0) });

/** The answer of `GET /partials/:hash`. */
export const partialAnswer = z.strictObject({ size: z.number().int().min(0) });

/** The answer of `DELETE /blobs/:hash`. */
export const deleteAnswer = z.strictObject({ deleted: z.boolean() });

/** The answer of applying a manifest. */
export const applyAnswer = z.strictObject({
  filesWritten: z.number().int().min(0),
  bytesWritten: z.number().int().min(0),
});

/** Fields of an error that the other side needs to rebuild it. */
const details = z
  .object({
    hash: z.string().max(200),
    path: z.string().max(4096),
    offset: z.number(),
    size: z.number(),
    expected: z.string().max(200),
    actual: z.string().max(200),
    files: z.array(z.string().max(4096)).max(100),
  })
  .partial();

/** An error answer. */
export const errorAnswer = z.object({
  error: z.object({ code: z.string().max(40), message: z.string().max(16_384), details: details.optional() }),
});

export type WireError = z.infer<typeof errorAnswer>["error"];

const STATUS: Record<StorageErrorCode, number> = {
  E_BAD_HASH: 400,
  E_UNSAFE_PATH: 400,
  E_SYMLINK_ESCAPE: 400,
  E_BAD_MANIFEST: 400,
  E_HTTP: 400,
  E_BLOB_NOT_FOUND: 404,
  E_PATH_NOT_FOUND: 404,
  E_RESUME: 409,
  E_PATH_CONFLICT: 409,
  E_SOURCE_CHANGED: 409,
  E_ABORTED: 409,
  E_TOO_LARGE: 413,
  E_RANGE: 416,
  E_INTEGRITY: 422,
  E_CORRUPT: 422,
  E_IO: 500,
  E_NO_SPACE: 507,
};

/** The HTTP status and JSON body that carry an error to the client. */
export function encodeError(err: unknown): { status: number; body: { error: WireError } } {
  if (!(err instanceof StorageError)) {
    const message = err instanceof Error ? err.message : String(err);
    return { status: 500, body: { error: { code: "E_IO", message: `[storage] [routes] ${message}` } } };
  }
  const e = err as StorageError & Record<string, unknown>;
  const d: NonNullable<WireError["details"]> = {};
  for (const key of ["hash", "path", "expected", "actual"] as const) if (typeof e[key] === "string") d[key] = e[key];
  if (typeof e.size === "number") d.size = e.size;
  if (typeof e.bytes === "number") d.size = e.bytes;
  if (Array.isArray(e.files)) d.files = (e.files as string[]).slice(0, 100);
  const extra = (e as { wire?: WireError["details"] }).wire;
  return { status: STATUS[err.code] ?? 500, body: { error: { code: err.code, message: err.message, details: { ...d, ...extra } } } };
}

/** Adds what the client needs beyond the error's own fields (an offset, a size). */
export function withDetails<E extends StorageError>(err: E, extra: NonNullable<WireError["details"]>): E {
  (err as E & { wire?: WireError["details"] }).wire = extra;
  return err;
}

/**
 * The error a client throws for an error answer: the same class as on the
 * server (so `instanceof` and `code` work across the network), its message
 * naming the client's driver and, when it does not already, where it is.
 */
export function decodeError(driver: string, location: string, wire: WireError, status?: number): StorageError {
  const d = wire.details ?? {};
  const hash = d.hash ?? "";
  const path = d.path ?? "";
  let err: StorageError;
  switch (wire.code) {
    case "E_BAD_HASH":
      return new InvalidHashError(driver, d.hash);
    case "E_BLOB_NOT_FOUND":
      err = new BlobNotFoundError(driver, hash, location, d.path);
      return err;
    case "E_RANGE":
      return new RangeNotSatisfiableError(driver, hash, location, d.offset ?? 0, d.size ?? 0);
    case "E_INTEGRITY":
      err = new IntegrityError(driver, location, d.expected ?? hash, d.actual ?? "", d.size ?? 0);
      break;
    case "E_RESUME":
      err = new ResumeError(driver, hash, location, d.offset ?? 0, d.size ?? 0);
      break;
    case "E_NO_SPACE":
      err = new NoSpaceError(driver, path, location, undefined, { bytes: d.size });
      break;
    case "E_UNSAFE_PATH":
      err = new UnsafePathError(driver, path, "");
      break;
    case "E_SYMLINK_ESCAPE":
      err = new SymlinkEscapeError(driver, path, "", location);
      break;
    case "E_PATH_NOT_FOUND":
      err = new PathNotFoundError(driver, path, location);
      break;
    case "E_PATH_CONFLICT":
      err = new PathConflictError(driver, path, location, "");
      break;
    case "E_BAD_MANIFEST":
      err = new ManifestError(driver, "");
      break;
    case "E_SOURCE_CHANGED":
      err = new SourceChangedError(driver, path, location);
      break;
    case "E_CORRUPT":
      err = new CorruptionError(d.files ?? [], hash, undefined);
      break;
    case "E_ABORTED":
      err = new TransferAbortedError(driver, d.size ?? 0, undefined);
      break;
    case "E_TOO_LARGE":
      err = new TooLargeError(driver, "", "");
      break;
    case "E_HTTP":
      err = new HttpError(driver, location, "", "", { status });
      break;
    default:
      err = new StorageIOError(driver, "use", location, "");
  }
  const rest = wire.message.replace(/^\[storage\] /, "");
  err.message = `[storage] [${driver}] ${rest}${rest.includes(location) ? "" : ` (at ${location})`}`;
  return err;
}

/** Blobs of at most this many bytes may be sent together in one `POST /blobs/batch`. */
export const BATCH_BLOB_BYTES = 256 * 1024;
/** At most this many blobs, and this many bytes of them, in one batch. */
export const BATCH_MAX_BLOBS = 1024;
export const BATCH_MAX_BYTES = 16 * 1024 * 1024;

/**
 * The head of a batch upload: the blobs whose bytes follow it, in order. The
 * body is a 4-byte big-endian length, this JSON, then the blobs' bytes.
 */
export const batchHead = z.strictObject({
  blobs: z
    .array(z.strictObject({ hash, size: z.number().int().min(0).max(BATCH_BLOB_BYTES) }))
    .min(1)
    .max(BATCH_MAX_BLOBS),
});

/** The answer to a batch upload: one result per blob, in order. */
export const batchAnswer = z.strictObject({
  results: z.array(z.union([blobInfo, errorAnswer])),
});
