import { createHash } from "node:crypto";
import type { Stats } from "node:fs";
import { lstat, readFile as readWhole, readdir, readlink, realpath } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PathNotFoundError, SourceChangedError, isErrno } from "./errors.ts";
import type { HashIndex } from "./hash-index.ts";
import type { FileEntry, Manifest, ManifestEntry } from "./manifest.ts";
import { eachLimited } from "./pool.ts";
import { META_DIR, checkLinkTarget, checkRelativePath, isInside, joinRelative } from "./safe-path.ts";
import { readFile, throwIfAborted } from "./streams.ts";

/**
 * Leaves entries out of a scan: given a folder (relative to the root) and its
 * entries, says for each whether to leave it out (a folder left out is not entered).
 */
export type ScanFilter = (
  dir: string,
  entries: readonly { readonly name: string; readonly isDir: boolean }[],
) => Promise<readonly boolean[]>;

/** Where to scan and with what. */
export interface ScanContext {
  /** The root's real path. */
  readonly root: string;
  readonly index: HashIndex;
  /** Files hashed at once. */
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  /** Entries to leave out (ignore files); none by default. */
  readonly filter?: ScanFilter;
}

/**
 * Builds the manifest of `path` (a file, a folder or a link, relative to the
 * root): every file's size, mode, mtime and sha256, taken from the index when
 * the file has not changed. Links are not followed; a link that leads out of
 * the root is refused, as is a `path` that goes through one.
 */
export async function scan(ctx: ScanContext, path: string): Promise<Manifest> {
  const where = "scan";
  checkRelativePath(where, path, true);
  await ctx.index.load();
  const abs = join(ctx.root, path);
  const parent = await realpath(dirname(abs)).catch(() => undefined);
  const topLookedAt = Date.now();
  const top = await lstat(abs).catch((err: unknown) => {
    if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return undefined;
    throw err;
  });
  if (!top || !parent) throw new PathNotFoundError(where, path, ctx.root);
  // A path through a link that leads out of the root is not in the root.
  if (path !== "" && !isInside(ctx.root, parent)) throw new PathNotFoundError(where, path, ctx.root);

  const entries: ManifestEntry[] = [];
  const files: { path: string; rel: string; st: Stats; lookedAt: number }[] = [];
  async function visit(rel: string, st: Stats, lookedAt: number): Promise<void> {
    const at = joinRelative(path, rel);
    if (st.isSymbolicLink()) {
      const target = await readlink(join(ctx.root, at));
      checkLinkTarget(where, ctx.root, at, target);
      entries.push({ type: "symlink", path: rel, target });
    } else if (st.isFile()) {
      files.push({ path: rel, rel: at, st, lookedAt });
    } else if (st.isDirectory()) {
      entries.push({ type: "dir", path: rel, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs });
      throwIfAborted(ctx.signal);
      const names = (await readdir(join(ctx.root, at))).filter((name) => at !== "" || name !== META_DIR);
      const childrenLookedAt = Date.now();
      const stats = await Promise.all(names.map((name) => lstat(join(ctx.root, at, name))));
      const left = ctx.filter ? await ctx.filter(at, names.map((name, i) => ({ name, isDir: stats[i]!.isDirectory() }))) : undefined;
      for (const [i, name] of names.entries()) {
        if (!left?.[i]) await visit(joinRelative(rel, name), stats[i]!, childrenLookedAt);
      }
    }
    // Sockets, pipes and devices are not content; they are left out.
  }
  await visit("", top, topLookedAt);

  const hashed: FileEntry[] = [];
  await eachLimited(files, ctx.concurrency, async (entry) => {
    const hash = ctx.index.get(entry.rel, entry.st) ?? (await hashFile(ctx, entry.rel, entry.st, entry.lookedAt));
    hashed.push({
      type: "file",
      path: entry.path,
      size: entry.st.size,
      mode: entry.st.mode & 0o7777,
      mtimeMs: entry.st.mtimeMs,
      hash,
    });
  });
  await ctx.index.save();
  const all = [...entries, ...hashed].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { version: 1, entries: all };
}

/** Files up to this size are read in one call: most files of a tree are small. */
const SMALL_FILE = 1 << 20;

/**
 * Hashes a file and records it under the stat taken before reading: if the
 * file changes meanwhile, its times no longer match that stat and the record
 * is not used again. A large file is checked after reading too, since a long
 * read is more likely to overlap a writer.
 */
async function hashFile(ctx: ScanContext, rel: string, before: Stats, lookedAt: number): Promise<string> {
  const abs = join(ctx.root, rel);
  let hash: string;
  if (before.size <= SMALL_FILE) {
    hash = createHash("sha256").update(await readWhole(abs)).digest("hex");
  } else {
    const hasher = createHash("sha256");
    for await (const chunk of readFile(abs, 0, ctx.signal)) hasher.update(chunk);
    hash = hasher.digest("hex");
    const after = await lstat(abs);
    const same =
      after.size === before.size &&
      after.mtimeMs === before.mtimeMs &&
      after.ctimeMs === before.ctimeMs &&
      after.ino === before.ino;
    if (!same) throw new SourceChangedError("scan", rel, ctx.root);
  }
  ctx.index.set(rel, before, hash, lookedAt);
  return hash;
}
