import { createHash } from "node:crypto";
import type { Stats } from "node:fs";
import { lstat, readdir, readlink, realpath } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PathNotFoundError, SourceChangedError, isErrno } from "./errors.ts";
import type { HashIndex } from "./hash-index.ts";
import type { FileEntry, Manifest, ManifestEntry } from "./manifest.ts";
import { eachLimited } from "./pool.ts";
import { META_DIR, checkLinkTarget, checkRelativePath, isInside, joinRelative } from "./safe-path.ts";
import { readFile, throwIfAborted } from "./streams.ts";

/** Where to scan and with what. */
export interface ScanContext {
  /** The root's real path. */
  readonly root: string;
  readonly index: HashIndex;
  /** Files hashed at once. */
  readonly concurrency: number;
  readonly signal?: AbortSignal;
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
  const top = await lstat(abs).catch((err: unknown) => {
    if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return undefined;
    throw err;
  });
  if (!top || !parent) throw new PathNotFoundError(where, path, ctx.root);
  // A path through a link that leads out of the root is not in the root.
  if (path !== "" && !isInside(ctx.root, parent)) throw new PathNotFoundError(where, path, ctx.root);

  const entries: ManifestEntry[] = [];
  const files: { path: string; rel: string; st: Stats }[] = [];
  async function visit(rel: string, st: Stats): Promise<void> {
    const at = joinRelative(path, rel);
    if (st.isSymbolicLink()) {
      const target = await readlink(join(ctx.root, at));
      checkLinkTarget(where, ctx.root, at, target);
      entries.push({ type: "symlink", path: rel, target });
    } else if (st.isFile()) {
      files.push({ path: rel, rel: at, st });
    } else if (st.isDirectory()) {
      entries.push({ type: "dir", path: rel, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs });
      const children = await readdir(join(ctx.root, at), { withFileTypes: true });
      for (const child of children) {
        if (at === "" && child.name === META_DIR) continue;
        throwIfAborted(ctx.signal);
        await visit(joinRelative(rel, child.name), await lstat(join(ctx.root, at, child.name)));
      }
    }
    // Sockets, pipes and devices are not content; they are left out.
  }
  await visit("", top);

  const hashed: FileEntry[] = [];
  await eachLimited(files, ctx.concurrency, async (entry) => {
    const hash = ctx.index.get(entry.rel, entry.st) ?? (await hashFile(ctx, entry.rel, entry.st));
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

/** Hashes a file, making sure it did not change while it was read, and records it. */
async function hashFile(ctx: ScanContext, rel: string, before: Stats): Promise<string> {
  const checkedAt = Date.now();
  const hasher = createHash("sha256");
  const abs = join(ctx.root, rel);
  for await (const chunk of readFile(abs, 0, ctx.signal)) hasher.update(chunk);
  const after = await lstat(abs);
  const same =
    after.size === before.size &&
    after.mtimeMs === before.mtimeMs &&
    after.ctimeMs === before.ctimeMs &&
    after.ino === before.ino;
  if (!same) {
    throw new SourceChangedError("scan", rel, ctx.root);
  }
  const hash = hasher.digest("hex");
  ctx.index.set(rel, before, hash, checkedAt);
  return hash;
}
