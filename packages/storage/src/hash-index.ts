import { writeFileAtomic } from "@lit-app/runtime";
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Stats } from "node:fs";

/** What a file looked like when it was hashed. */
interface IndexRecord {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly hash: string;
  /** When the file was looked at (no later than its stat); see {@link tickMs}. */
  readonly checkedAt: number;
}

/**
 * A recorded hash is trusted without reading the file again only if the file
 * was looked at a clock tick after its last write: an ordinary write later on
 * then sets the mtime to a later tick, so the record no longer matches, while
 * a write in the same tick as the previous one would leave the times as they
 * were. File systems with sub-second times tick every few milliseconds; those
 * with whole seconds (FAT, some network file systems) every one or two seconds.
 */
function tickMs(timeMs: number): number {
  return timeMs % 1000 === 0 ? 2000 : 50;
}

/**
 * Remembers the sha256 of the files of a tree, keyed by relative path and
 * checked against size, mtime, ctime and inode, so that an unchanged file is
 * not read again. Only a cache: a record whose file changed is ignored, and
 * losing the index only costs hashing again.
 */
export class HashIndex {
  readonly #file: string;
  #records = new Map<string, IndexRecord>();
  #byHash: Map<string, Set<string>> | undefined;
  #loaded: Promise<void> | undefined;
  #dirty = false;

  constructor(file: string) {
    this.#file = file;
  }

  /** Reads the index from disk once; a missing or unreadable index starts empty (it is only a cache). */
  load(): Promise<void> {
    this.#loaded ??= readFile(this.#file, "utf8")
      .then((text) => {
        const data = JSON.parse(text) as { version?: number; records?: Record<string, IndexRecord> };
        if (data.version === 1 && data.records) this.#records = new Map(Object.entries(data.records));
      })
      .catch(() => {});
    return this.#loaded;
  }

  /**
   * The hash of the file at `path` if it is recorded and surely unchanged
   * since: good enough to skip reading the file.
   */
  get(path: string, st: Stats): string | undefined {
    const r = this.#records.get(path);
    if (!r || r.checkedAt - r.mtimeMs < tickMs(r.mtimeMs)) return undefined;
    return this.likely(path, st);
  }

  /**
   * The hash of the file at `path` if it is recorded and its times, size and
   * inode have not changed; a change in the same clock tick as the hashing may
   * not show, so only use this where the bytes are verified as they are read.
   */
  likely(path: string, st: Stats): string | undefined {
    const r = this.#records.get(path);
    if (!r) return undefined;
    const same = r.size === st.size && r.mtimeMs === st.mtimeMs && r.ctimeMs === st.ctimeMs && r.ino === st.ino;
    return same ? r.hash : undefined;
  }

  /**
   * Records the hash of the file at `path` as `st` describes it. `lookedAt`
   * is a time no later than when `st` was taken, and `st` was taken before
   * the bytes were read (or written by us).
   */
  set(path: string, st: Stats, hash: string, lookedAt: number): void {
    const checkedAt = lookedAt;
    this.#forgetReverse(path);
    this.#records.set(path, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, hash, checkedAt });
    this.#byHash?.get(hash)?.add(path) ?? this.#byHash?.set(hash, new Set([path]));
    this.#dirty = true;
  }

  /** Forgets `path`. */
  delete(path: string): void {
    this.#forgetReverse(path);
    this.#dirty = this.#records.delete(path) || this.#dirty;
  }

  /** Paths recorded with this hash (their files may have changed since: check with {@link get}). */
  pathsOf(hash: string): string[] {
    if (!this.#byHash) {
      this.#byHash = new Map();
      for (const [path, r] of this.#records) {
        const set = this.#byHash.get(r.hash);
        if (set) set.add(path);
        else this.#byHash.set(r.hash, new Set([path]));
      }
    }
    return [...(this.#byHash.get(hash) ?? [])];
  }

  /** Writes the index if it changed, whole or not at all. */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    await mkdir(dirname(this.#file), { recursive: true });
    await writeFileAtomic(this.#file, JSON.stringify({ version: 1, records: Object.fromEntries(this.#records) }));
  }

  #forgetReverse(path: string): void {
    const old = this.#records.get(path);
    if (old) this.#byHash?.get(old.hash)?.delete(path);
  }
}
