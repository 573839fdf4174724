/**
 * The blob store port. A driver keeps immutable blobs named by the sha256 of
 * their bytes. It is deliberately small so that a driver over another medium
 * (an agent over HTTP, an object store) is a short file: every method maps to
 * one request, and the shared conformance suite (`@lit-app/storage/testing`)
 * says whether a driver keeps the contract.
 *
 * The contract:
 * - A blob is visible (`stat`, `read`, `list`) only once all of it has arrived
 *   and its sha256 matched its name; readers never see part of a blob.
 * - `write` is resumable: bytes of an interrupted write are kept under a name
 *   keyed by the hash; `partialSize` tells how many, and a later write with
 *   `offset` equal to that number sends only the rest. The whole blob is
 *   hashed before it becomes visible, so a bad partial is never accepted.
 * - A write that fails because the disk is full keeps nothing (`NoSpaceError`):
 *   partial bytes would only hold on to the space that ran out.
 * - Several writers of the same blob at once all succeed, and the blob is whole.
 * - Errors are the classes of `errors.ts`, with `[storage] [<name>]` messages.
 */

/**
 * Blobs smaller than this are sent again whole rather than resumed: asking
 * for the partial costs more than it saves. Drivers keep partials of any size.
 */
export const PARTIAL_WORTH_KEEPING = 1 << 20;

/** A stored blob: its sha256 (64 lowercase hex characters) and its size in bytes. */
export interface BlobInfo {
  readonly hash: string;
  readonly size: number;
}

/** Options of {@link Driver.read}. */
export interface ReadOptions {
  /** First byte to send; 0 by default. Must be at most the blob's size. */
  readonly offset?: number;
  /** Stops the stream; the iterator then throws the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Options of {@link Driver.write}. */
export interface WriteOptions {
  /**
   * The body starts at this byte of the blob: the store must already hold
   * bytes `[0, offset)` from an interrupted write (see `partialSize`), or the
   * write fails with `ResumeError` before reading the body.
   */
  readonly offset?: number;
  /** The blob's full size, when known; a body that ends elsewhere is rejected. */
  readonly size?: number;
  /** Stops the write; the bytes received so far are kept for a resume. */
  readonly signal?: AbortSignal;
}

/** A content-addressed blob store. */
export interface Driver {
  /** Short name used in messages: `local`, `agent`... */
  readonly name: string;
  /** Where the blobs are, used in messages: a directory, a URL. */
  readonly location: string;

  /** The blob's size, or `undefined` if the store does not have it. */
  stat(hash: string): Promise<BlobInfo | undefined>;

  /** Of `hashes`, those the store does not have, in the order given, without repeats. One round trip. */
  missing(hashes: readonly string[]): Promise<string[]>;

  /**
   * The blob's bytes from `offset` on. Rejects with `BlobNotFoundError` when
   * the blob is absent and `RangeNotSatisfiableError` when `offset` is past its end.
   */
  read(hash: string, options?: ReadOptions): Promise<AsyncIterable<Uint8Array>>;

  /** How many bytes of an unfinished write of `hash` the store holds (0 if none). */
  partialSize(hash: string): Promise<number>;

  /**
   * Stores a blob from `body`, verifying that its bytes hash to `hash` before it
   * becomes visible (atomically: temp name, flush, rename). Resolves at once if
   * the blob is already stored. Rejects with `IntegrityError` on a mismatch or
   * `NoSpaceError` when the disk is full (and keeps nothing), or with the abort
   * reason / body error (and keeps what arrived).
   */
  write(hash: string, body: AsyncIterable<Uint8Array>, options?: WriteOptions): Promise<BlobInfo>;

  /** Every stored blob, in no particular order. */
  list(): AsyncIterable<BlobInfo>;

  /** Removes a blob and any partial data of it; whether the blob was there. */
  delete(hash: string): Promise<boolean>;
}
