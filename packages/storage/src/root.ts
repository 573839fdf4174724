import { lstat, mkdir, readFile as readWhole, realpath } from "node:fs/promises";
import { join, resolve } from "node:path";
import { applyManifest } from "./apply.ts";
import type { ApplyOptions, ApplyReport } from "./apply.ts";
import type { Driver } from "./driver.ts";
import { localDiskDriver } from "./drivers/local-disk.ts";
import type { LocalDiskDriver } from "./drivers/local-disk.ts";
import { BlobNotFoundError } from "./errors.ts";
import { HashIndex } from "./hash-index.ts";
import type { Manifest } from "./manifest.ts";
import { META_DIR } from "./safe-path.ts";
import { scan } from "./scan.ts";
import type { ScanFilter } from "./scan.ts";
import { readFile } from "./streams.ts";

/** Files up to this size are read in one call. */
const SMALL_FILE = 1 << 20;

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/**
 * A place files live in: a folder tree and the blob store beside it. The
 * transfer engine (`sync`) moves a file or folder from one root to another
 * through this interface; a root on another machine implements it over the
 * network with its `store` being that machine's driver.
 */
export interface StorageRoot {
  /** Names the root in messages: a directory, a host and directory... */
  readonly location: string;
  /** Where blobs sent to this root arrive. */
  readonly store: Driver;
  /** The manifest of a file, folder or link (relative to the root; `""` for all of it). */
  manifest(path: string, options?: { signal?: AbortSignal }): Promise<Manifest>;
  /**
   * Of these hashes, the contents this root has neither in its store nor in
   * its tree. May be optimistic: `apply` fetches (through its `fetch` option)
   * any content that turns out to be absent after all.
   */
  missing(hashes: readonly string[]): Promise<string[]>;
  /** The bytes of content this root holds (in its store or its tree), from `offset` on. */
  open(hash: string, offset: number, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  /** Makes `target` (relative to the root) match a manifest, whose blobs are in the store or the tree. */
  apply(manifest: Manifest, target: string, options?: ApplyOptions): Promise<ApplyReport>;
}

/** Options of {@link localRoot}. */
export interface LocalRootOptions {
  /** The blob store; by default `localDiskDriver("<dir>/.lit-storage")`. Must be on the same disk as the tree. */
  readonly store?: LocalDiskDriver;
  /** Files hashed or written at once; 8 by default. */
  readonly concurrency?: number;
  /** The index of file hashes; `<dir>/.lit-storage/index.json` by default. */
  readonly indexFile?: string;
  /** Entries its manifests leave out (see `ignoreFilter`); none by default. */
  readonly filter?: ScanFilter;
}

/** A storage root in a local folder. */
export interface LocalRoot extends StorageRoot {
  /** The folder (absolute). */
  readonly dir: string;
  readonly store: LocalDiskDriver;
  /** The index of its tree's file hashes (for code that writes into the tree itself, such as a folder push). */
  readonly index: HashIndex;
}

/**
 * A storage root over a folder of this machine. The folder is made if it does
 * not exist. Its `.lit-storage` sub-folder holds the blob store and an index
 * of file hashes, and is never synced.
 *
 * @example
 * const a = localRoot("/work/a");
 * const b = localRoot("/work/b");
 * const report = await sync(a, b, "checkpoints");
 * console.log(report.bytesSent);
 */
export function localRoot(dir: string, options: LocalRootOptions = {}): LocalRoot {
  const base = resolve(dir);
  const store = options.store ?? localDiskDriver(join(base, META_DIR));
  const index = new HashIndex(options.indexFile ?? join(base, META_DIR, "index.json"));
  const concurrency = options.concurrency ?? 8;
  let real: Promise<string> | undefined;
  const rootPath = () => (real ??= mkdir(base, { recursive: true }).then(() => realpath(base)));

  /**
   * A file of the tree that, by its recorded hash and unchanged times, holds
   * `hash`. Whoever reads it verifies the bytes (the receiver of a blob, the
   * verified copy of apply), so a record too fresh to be trusted blindly will do.
   */
  async function treeFile(hash: string): Promise<{ path: string; size: number } | undefined> {
    await index.load();
    const root = await rootPath();
    for (const path of index.pathsOf(hash)) {
      const abs = join(root, path);
      const st = await lstat(abs).catch(() => undefined);
      if (st?.isFile() && index.likely(path, st) === hash) return { path: abs, size: st.size };
    }
    return undefined;
  }

  return {
    dir: base,
    location: base,
    store,
    index,
    async manifest(path, opts = {}) {
      return scan({ root: await rootPath(), index, concurrency, signal: opts.signal, filter: options.filter }, path);
    },
    async missing(hashes) {
      // Content the index saw in the tree counts as present without looking at the
      // files again: apply checks each file it relies on, and fetches what changed.
      await index.load();
      const unique = [...new Set(hashes)];
      return store.missing(unique.filter((hash) => index.pathsOf(hash).length === 0));
    },
    async open(hash, offset, signal) {
      const file = await treeFile(hash);
      if (file && file.size <= SMALL_FILE) return once((await readWhole(file.path)).subarray(offset));
      if (file) return readFile(file.path, offset, signal);
      if (await store.stat(hash)) return store.read(hash, { offset, signal });
      throw new BlobNotFoundError("root", hash, base);
    },
    async apply(manifest, target, opts = {}) {
      return applyManifest({ root: await rootPath(), store, index }, manifest, target, { concurrency, ...opts });
    },
  };
}
