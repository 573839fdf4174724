import {
  BlobNotFoundError,
  CorruptionError,
  IntegrityError,
  NoSpaceError,
  ResumeError,
  SourceChangedError,
  TransferAbortedError,
  isErrno,
  isNoSpace,
} from "./errors.ts";
import { PARTIAL_WORTH_KEEPING } from "./driver.ts";
import type { Manifest } from "./manifest.ts";
import { eachLimited } from "./pool.ts";
import type { StorageRoot } from "./root.ts";
import { checkRelativePath, joinRelative } from "./safe-path.ts";
import { countBytes } from "./streams.ts";

/** Options of {@link sync}. */
export interface SyncOptions {
  /** Where to put it in the receiving root; the same relative path by default. */
  readonly target?: string;
  /** Stops the sync; what arrived is kept, and the next sync resumes from it. */
  readonly signal?: AbortSignal;
  /** Blobs sent at once; 8 by default. */
  readonly concurrency?: number;
  /** Called as bytes are sent. */
  readonly onProgress?: (progress: SyncProgress) => void;
}

/** How far a sync is. */
export interface SyncProgress {
  /** Bytes sent so far (not counting those a resume skipped). */
  readonly bytesSent: number;
  /** Bytes of the blobs the receiver lacked, in all. */
  readonly bytesToSend: number;
  /** A file whose bytes are being sent. */
  readonly path: string;
}

/** What a sync did. */
export interface SyncReport {
  /** What was synced, as built by the sending root. */
  readonly manifest: Manifest;
  readonly files: number;
  readonly dirs: number;
  readonly symlinks: number;
  /** Size of all the files synced. */
  readonly bytesTotal: number;
  /** Blobs the receiver lacked and got. */
  readonly blobsSent: number;
  /** Bytes streamed to the receiver: ~0 when it already had everything. */
  readonly bytesSent: number;
  /** Bytes not sent again because an interrupted transfer had kept them. */
  readonly bytesResumed: number;
  /** Files (re)written in the receiving tree. */
  readonly filesWritten: number;
  readonly durationMs: number;
}

interface Blob {
  readonly hash: string;
  readonly size: number;
  /** The files that hold it, relative to the sending root. */
  readonly paths: string[];
}

interface Counters {
  bytesSent: number;
  bytesToSend: number;
  bytesResumed: number;
  blobsSent: number;
}

/**
 * Makes a file or folder of `from` present in `to`: builds its manifest,
 * sends only the blobs `to` lacks (streamed, verified on arrival, resumed if
 * an earlier transfer was interrupted), then writes the tree in `to`, each
 * file whole or not at all, with its mode and mtime.
 *
 * @example
 * const report = await sync(localRoot("/runs/a"), localRoot("/runs/b"), "model");
 * // a second sync of the unchanged folder: report.bytesSent === 0
 */
export async function sync(
  from: StorageRoot,
  to: StorageRoot,
  path: string,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const started = performance.now();
  checkRelativePath("sync", path, true);
  const controller = new AbortController();
  const forward = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) forward();
  options.signal?.addEventListener("abort", forward, { once: true });
  const signal = controller.signal;
  const counters: Counters = { bytesSent: 0, bytesToSend: 0, bytesResumed: 0, blobsSent: 0 };
  try {
    const manifest = await from.manifest(path, { signal });
    const blobs = new Map<string, Blob>();
    for (const entry of manifest.entries) {
      if (entry.type !== "file") continue;
      const at = joinRelative(path, entry.path);
      const known = blobs.get(entry.hash);
      if (known) known.paths.push(at);
      else blobs.set(entry.hash, { hash: entry.hash, size: entry.size, paths: [at] });
    }
    const missing = (await to.missing([...blobs.keys()])).map((hash) => blobs.get(hash)!);
    counters.bytesToSend = missing.reduce((sum, b) => sum + b.size, 0);
    const send = async (blob: Blob) => {
      try {
        await sendBlob(from, to, blob, counters, signal, options.onProgress);
      } catch (err) {
        // Aborted, the reason is another blob's failure, already named.
        if (!isNoSpace(err) || signal.aborted) throw err;
        throw new NoSpaceError("sync", blob.paths[0]!, to.location, err, { bytes: blob.size });
      }
    };
    await eachLimited(missing, options.concurrency ?? 8, async (blob) => {
      try {
        await send(blob);
      } catch (err) {
        controller.abort(err); // stop the other transfers; each keeps what it received
        throw err;
      }
    });
    const applied = await to.apply(manifest, options.target ?? path, {
      signal,
      fetch: async (hash) => send(blobs.get(hash)!),
    });
    const count = (type: string) => manifest.entries.filter((e) => e.type === type).length;
    return {
      manifest,
      files: count("file"),
      dirs: count("dir"),
      symlinks: count("symlink"),
      bytesTotal: manifest.entries.reduce((sum, e) => sum + (e.type === "file" ? e.size : 0), 0),
      blobsSent: counters.blobsSent,
      bytesSent: counters.bytesSent,
      bytesResumed: counters.bytesResumed,
      filesWritten: applied.filesWritten,
      durationMs: performance.now() - started,
    };
  } catch (err) {
    if (options.signal?.aborted) throw new TransferAbortedError("sync", counters.bytesSent, options.signal.reason);
    // A full disk met elsewhere than in a file's bytes (a folder, the index): the synced path is named.
    if (isNoSpace(err) && !(err instanceof NoSpaceError)) throw new NoSpaceError("sync", path, to.location, err);
    throw err;
  } finally {
    options.signal?.removeEventListener("abort", forward);
  }
}

/** Sends one blob, resuming from what the receiver kept; retries once from byte 0 if the resume fails. */
async function sendBlob(
  from: StorageRoot,
  to: StorageRoot,
  blob: Blob,
  counters: Counters,
  signal: AbortSignal,
  onProgress: SyncOptions["onProgress"],
): Promise<void> {
  const path = blob.paths[0]!;
  for (let attempt = 0; ; attempt++) {
    // Small blobs are sent whole: asking for a partial would cost more than it saves.
    const held = attempt === 0 && blob.size >= PARTIAL_WORTH_KEEPING ? await to.store.partialSize(blob.hash) : 0;
    const offset = held <= blob.size ? held : 0;
    let body: AsyncIterable<Uint8Array>;
    try {
      body = await from.open(blob.hash, offset, signal);
    } catch (err) {
      if (err instanceof BlobNotFoundError || isErrno(err, "ENOENT")) {
        throw new SourceChangedError("sync", path, from.location);
      }
      throw err;
    }
    let sent = 0;
    const counted = countBytes(body, (n) => {
      sent += n;
      counters.bytesSent += n;
      onProgress?.({ bytesSent: counters.bytesSent, bytesToSend: counters.bytesToSend, path });
    });
    try {
      await to.store.write(blob.hash, counted, { offset, size: blob.size, signal });
      if (sent > 0 || blob.size === 0) counters.blobsSent += 1;
      counters.bytesResumed += offset;
      return;
    } catch (err) {
      // A partial taken by another writer meanwhile, or one that held bad bytes: start over once.
      const startOver = attempt === 0 && offset > 0 && (err instanceof ResumeError || err instanceof IntegrityError);
      if (startOver) continue;
      if (err instanceof IntegrityError) throw new CorruptionError(blob.paths, blob.hash, err);
      throw err;
    }
  }
}
