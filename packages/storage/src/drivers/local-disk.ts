import { createHash } from "node:crypto";
import { mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { PARTIAL_WORTH_KEEPING } from "../driver.ts";
import type { BlobInfo, Driver, ReadOptions, WriteOptions } from "../driver.ts";
import {
  BlobNotFoundError,
  IntegrityError,
  NoSpaceError,
  RangeNotSatisfiableError,
  ResumeError,
  isErrno,
  isNoSpace,
} from "../errors.ts";
import { unlinkIfPresent } from "../fs-util.ts";
import { assertBlobHash, isBlobHash } from "../hash.ts";
import { readChunks, readFile, throwIfAborted, writevAt } from "../streams.ts";
import { claimPartial, dropPartials, ownedName, parkPartial, partialLength } from "./partials.ts";

/** Bytes of an upload written with one call. */
const WRITE_BATCH = 1 << 20;
/**
 * A large blob's bytes are flushed to disk as they arrive, each time this
 * many more were written (in the background, one flush at a time): the flush
 * before its rename then waits for the last few only, instead of for the
 * whole blob once every byte is in.
 */
const FLUSH_EVERY = 64 << 20;

/** A driver over a directory of the local disk; also says where a blob's file is. */
export interface LocalDiskDriver extends Driver {
  /** The store's directory (absolute). */
  readonly root: string;
  /** The file that holds a stored blob (read-only; never write to it). */
  blobPath(hash: string): string;
}

/** Options of {@link localDiskDriver}. */
export interface LocalDiskOptions {
  /** Name used in messages; `local` by default. */
  readonly name?: string;
}

/**
 * A blob store in a directory: blobs at `<root>/blobs/<2 hex>/<hash>` (read
 * only), partial writes in `<root>/tmp`. Directories are made on first write.
 *
 * @example
 * const store = localDiskDriver("/srv/lit/store");
 * await store.write(hash, readFile("model.pt", 0));
 * for await (const chunk of await store.read(hash)) process(chunk);
 */
export function localDiskDriver(root: string, options: LocalDiskOptions = {}): LocalDiskDriver {
  const name = options.name ?? "local";
  const base = resolve(root);
  const tmpDir = join(base, "tmp");
  const blobPath = (hash: string) => join(base, "blobs", hash.slice(0, 2), hash);
  // Folders known to exist: each write would otherwise ask again.
  const made = new Set<string>();
  const ensureDir = async (dir: string) => {
    if (made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    made.add(dir);
  };

  async function stat_(hash: string): Promise<BlobInfo | undefined> {
    assertBlobHash(name, hash);
    try {
      return { hash, size: (await stat(blobPath(hash))).size };
    } catch (err) {
      if (isErrno(err, "ENOENT")) return undefined;
      throw err;
    }
  }

  async function receive(
    hash: string,
    body: AsyncIterable<Uint8Array>,
    options: WriteOptions,
  ): Promise<BlobInfo> {
    const offset = options.offset ?? 0;
    const { size: expectedSize, signal } = options;
    await ensureDir(tmpDir);
    // Starting from byte 0 needs no partial: take a fresh file, and skip looking for one.
    const owned = offset > 0 ? await claimPartial(tmpDir, hash) : { path: ownedName(tmpDir, hash), length: 0 };
    if (owned.length < offset) {
      if (owned.length > 0) await parkPartial(tmpDir, hash, owned.path);
      throw new ResumeError(name, hash, base, offset, owned.length);
    }
    // A fresh file is made read-only from the start (the descriptor can still write),
    // which saves changing its mode later; a parked partial is made writable again.
    const fh = owned.length > 0 ? await open(owned.path, "r+") : await open(owned.path, "w", 0o444);
    const hasher = createHash("sha256");
    let size = 0;
    let mismatch: string | undefined;
    // Chunks as they came (a socket's 16–64 KiB), written together once they make WRITE_BATCH
    // bytes: one system call for many, and no copy into a larger buffer. One batch is written
    // while the next arrives (the body is read on meanwhile); the one before is waited for first.
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    let written = 0;
    let writing: Promise<void> = Promise.resolve();
    let flushing: Promise<void> = Promise.resolve();
    let flushedAt = 0;
    let flushInFlight = false;
    const startBatch = async () => {
      await writing;
      if (written - flushedAt >= FLUSH_EVERY && !flushInFlight) {
        flushedAt = written;
        flushInFlight = true;
        flushing = fh.datasync().finally(() => (flushInFlight = false));
        flushing.catch(() => undefined); // a failure shows again in the flush before the rename
      }
      if (batchBytes === 0) return;
      const parts = batch;
      const at = written;
      written += batchBytes;
      batch = [];
      batchBytes = 0;
      writing = writevAt(fh, parts, at);
      // A failed write is thrown by the next wait for it; until then it must not go unhandled.
      writing.catch(() => undefined);
    };
    /** Writes what is batched and waits until every write is done. */
    const writeBatch = async () => {
      await startBatch();
      await writing;
    };
    try {
      // The kept prefix is hashed again: only the whole blob's hash is trusted.
      for await (const chunk of readChunks(fh, 0, signal, offset)) {
        hasher.update(chunk);
        size += chunk.byteLength;
      }
      if (owned.length > offset) await fh.truncate(offset);
      written = size;
      for await (const chunk of body) {
        throwIfAborted(signal);
        if (expectedSize !== undefined && size + chunk.byteLength > expectedSize) {
          mismatch = `more than the announced ${expectedSize} bytes arrived`;
          break;
        }
        hasher.update(chunk);
        size += chunk.byteLength;
        batch.push(chunk);
        batchBytes += chunk.byteLength;
        if (batchBytes >= WRITE_BATCH) await startBatch();
      }
      throwIfAborted(signal);
      if (mismatch === undefined) await writeBatch();
      else await writing.catch(() => undefined); // the file is dropped: only its writes must be over
    } catch (err) {
      // What arrived before a dropped connection is kept for a resume.
      if (!isNoSpace(err)) await writeBatch().catch(() => undefined);
      await fh.chmod(0o644);
      await fh.close();
      // Out of space, the bytes that arrived would only hold on to the space that ran out: drop them.
      if (!isNoSpace(err)) {
        await parkPartial(tmpDir, hash, owned.path);
        throw err;
      }
      await unlinkIfPresent(owned.path);
      throw err instanceof NoSpaceError ? err : new NoSpaceError(name, `blob ${hash}`, base, err, { bytes: expectedSize ?? size });
    }
    const actual = hasher.digest("hex");
    if (mismatch === undefined && expectedSize !== undefined && size !== expectedSize) {
      mismatch = `${size} bytes arrived where ${expectedSize} were announced`;
    }
    if (mismatch !== undefined || actual !== hash) {
      await fh.close();
      await unlinkIfPresent(owned.path);
      throw new IntegrityError(name, base, hash, actual, size, mismatch);
    }
    // Flushed before the rename, so the blob's name never points at missing bytes. The
    // folder is not flushed: after a crash a blob may be absent, never partial.
    try {
      // A flush under way first, its failure too: after a failed flush a later one may report none.
      await flushing;
      await fh.sync();
    } catch (err) {
      // Some file systems report a full disk only when the data is flushed.
      await fh.close();
      await unlinkIfPresent(owned.path);
      throw isNoSpace(err) ? new NoSpaceError(name, `blob ${hash}`, base, err, { bytes: size }) : err;
    }
    if (owned.length > 0) await fh.chmod(0o444);
    await fh.close();
    const target = blobPath(hash);
    await ensureDir(dirname(target));
    // A concurrent writer of the same blob may have renamed first: the bytes are identical.
    try {
      await rename(owned.path, target);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
      made.clear(); // the store was removed under us: make its folders again
      await ensureDir(dirname(target));
      await rename(owned.path, target);
    }
    // A large blob sent again from byte 0 may have left an older partial behind.
    if (offset === 0 && size >= PARTIAL_WORTH_KEEPING) await dropPartials(tmpDir, hash);
    return { hash, size };
  }

  return {
    name,
    location: base,
    root: base,
    blobPath(hash) {
      assertBlobHash(name, hash);
      return blobPath(hash);
    },
    stat: stat_,

    async missing(hashes) {
      const unique = [...new Set(hashes)];
      const present = await Promise.all(unique.map(async (h) => (await stat_(h)) !== undefined));
      return unique.filter((_, i) => !present[i]);
    },

    async read(hash: string, options: ReadOptions = {}) {
      const info = await stat_(hash);
      if (!info) throw new BlobNotFoundError(name, hash, base);
      const offset = options.offset ?? 0;
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > info.size) {
        throw new RangeNotSatisfiableError(name, hash, base, offset, info.size);
      }
      throwIfAborted(options.signal);
      return (async function* () {
        try {
          yield* readFile(blobPath(hash), offset, options.signal);
        } catch (err) {
          if (isErrno(err, "ENOENT")) throw new BlobNotFoundError(name, hash, base);
          throw err;
        }
      })();
    },

    async partialSize(hash) {
      assertBlobHash(name, hash);
      return partialLength(tmpDir, hash);
    },

    async write(hash, body, options = {}) {
      assertBlobHash(name, hash);
      const offset = options.offset ?? 0;
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new ResumeError(name, hash, base, offset, 0);
      }
      throwIfAborted(options.signal);
      const existing = await stat_(hash);
      if (existing) return existing;
      return receive(hash, body, options);
    },

    async *list() {
      let shards: string[];
      try {
        shards = await readdir(join(base, "blobs"));
      } catch (err) {
        if (isErrno(err, "ENOENT")) return;
        throw err;
      }
      for (const shard of shards.sort()) {
        let names: string[];
        try {
          names = await readdir(join(base, "blobs", shard));
        } catch (err) {
          if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) continue;
          throw err;
        }
        for (const hash of names.sort()) {
          if (!isBlobHash(hash) || !hash.startsWith(shard)) continue;
          const info = await stat_(hash);
          if (info) yield info;
        }
      }
    },

    async delete(hash) {
      assertBlobHash(name, hash);
      await dropPartials(tmpDir, hash);
      try {
        await unlink(blobPath(hash));
        return true;
      } catch (err) {
        if (isErrno(err, "ENOENT")) return false;
        throw err;
      }
    },
  };
}
