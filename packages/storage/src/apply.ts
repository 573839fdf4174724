import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { chmod, copyFile, lstat, readlink, rename, symlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { LocalDiskDriver } from "./drivers/local-disk.ts";
import { BlobNotFoundError, NoSpaceError, PathConflictError, UnsafePathError, isErrno, isNoSpace } from "./errors.ts";
import { syncDir, syncFile, unlinkIfPresent } from "./fs-util.ts";
import type { HashIndex } from "./hash-index.ts";
import { parseManifest } from "./manifest.ts";
import type { FileEntry, SymlinkEntry } from "./manifest.ts";
import { eachLimited } from "./pool.ts";
import { checkLinkTarget, checkRelativePath, ensureDirInside, joinRelative } from "./safe-path.ts";
import { copyVerified, hashFileAt } from "./verified-copy.ts";
import { throwIfAborted } from "./streams.ts";

/** The receiving root, as the apply step sees it. */
export interface ApplyContext {
  /** The root's real path. */
  readonly root: string;
  readonly store: LocalDiskDriver;
  readonly index: HashIndex;
}

/** Options of {@link applyManifest}. */
export interface ApplyOptions {
  /** Files written at once; 8 by default. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Brings a blob into the store when neither the store nor the tree has it. */
  readonly fetch?: (hash: string) => Promise<void>;
  /**
   * Leave the blobs in the store. By default a blob is moved into the tree
   * (no second copy of its bytes); the tree's index still knows the content.
   */
  readonly keepBlobs?: boolean;
}

/** What applying a manifest changed. */
export interface ApplyReport {
  /** Files whose bytes were (re)written; unchanged files are left as they are. */
  readonly filesWritten: number;
  readonly bytesWritten: number;
}

const where = "apply";

/** Folders seen during one apply: checked, made by it (so empty), and written into. */
interface Dirs {
  readonly known: Set<string>;
  readonly created: Set<string>;
  readonly touched: Set<string>;
}

/**
 * Makes the tree at `target` (relative to the root) match `manifest`: each
 * file appears whole or not at all (written under a temp name in its folder,
 * flushed, given its mode and mtime, then renamed into place). The manifest is
 * validated as coming from outside: no name or link may lead out of the root.
 */
export async function applyManifest(
  ctx: ApplyContext,
  manifestValue: unknown,
  target: string,
  options: ApplyOptions = {},
): Promise<ApplyReport> {
  const manifest = await parseManifest(where, manifestValue);
  const targetParts = checkRelativePath(where, target, true);
  const base = manifest.entries[0]!;
  if (target === "" && base.type !== "dir") {
    throw new UnsafePathError(where, target, `a ${base.type} cannot replace the root; give it a name`);
  }
  const at = (path: string) => joinRelative(target, path);
  for (const entry of manifest.entries) {
    if (entry.type === "symlink") checkLinkTarget(where, ctx.root, at(entry.path), entry.target);
  }
  await ctx.index.load();
  const folders: Dirs = { known: new Set(), created: new Set(), touched: new Set() };
  await ensureDirInside(where, ctx.root, targetParts.slice(0, -1), folders.known, folders.created);

  const dirs = manifest.entries.filter((e) => e.type === "dir");
  for (const dir of dirs) await ensureDirInside(where, ctx.root, splitRel(at(dir.path)), folders.known, folders.created);

  let filesWritten = 0;
  let bytesWritten = 0;
  // Files with the same content are written one after the other: the first may
  // take the blob, the next ones copy the file the first one wrote.
  const groups = new Map<string, FileEntry[]>();
  for (const entry of manifest.entries) {
    if (entry.type !== "file") continue;
    const group = groups.get(entry.hash);
    if (group) group.push(entry);
    else groups.set(entry.hash, [entry]);
  }
  await eachLimited(groups.values(), options.concurrency ?? 8, async (group) => {
    let written: string | undefined;
    for (const entry of group) {
      throwIfAborted(options.signal);
      const dest = await writeFile(ctx, entry, at(entry.path), folders, options, written);
      if (dest === undefined) continue;
      written = dest;
      filesWritten += 1;
      bytesWritten += entry.size;
    }
  });
  for (const link of manifest.entries.filter((e): e is SymlinkEntry => e.type === "symlink")) {
    await writeLink(ctx, link, at(link.path), folders);
  }
  // Folders last and deepest first: writing into a folder changes its mtime.
  for (const dir of [...dirs].reverse()) {
    const abs = join(ctx.root, at(dir.path));
    await chmod(abs, dir.mode & 0o777);
    await utimes(abs, dir.mtimeMs / 1000, dir.mtimeMs / 1000);
  }
  for (const dir of folders.touched) await syncDir(dir);
  await ctx.index.save();
  return { filesWritten, bytesWritten };
}

function splitRel(rel: string): string[] {
  return rel === "" ? [] : rel.split("/");
}

async function lstatIfAny(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
}

/** Where a temp file for `name` goes: beside it, so the final rename stays on one file system. */
function tempBeside(dir: string, name: string): string {
  return join(dir, `.${name}.${randomBytes(6).toString("hex")}.lit-tmp`);
}

/**
 * Writes one file unless an identical one is there; returns where it wrote.
 * `sibling` is a file this apply just wrote with the same content.
 */
async function writeFile(
  ctx: ApplyContext,
  entry: FileEntry,
  rel: string,
  dirs: Dirs,
  options: ApplyOptions,
  sibling: string | undefined,
): Promise<string | undefined> {
  const parts = splitRel(rel);
  const name = parts.at(-1)!;
  const dir = await ensureDirInside(where, ctx.root, parts.slice(0, -1), dirs.known, dirs.created);
  const dest = join(dir, name);
  const lookedAt = Date.now();
  // In a folder this apply made, nothing is there yet.
  const existing = dirs.created.has(dir) ? undefined : await lstatIfAny(dest);
  if (existing?.isDirectory()) throw new PathConflictError(where, rel, ctx.root, "a folder is there where a file goes");
  if (existing?.isFile() && existing.size === entry.size) {
    const trusted = ctx.index.get(rel, existing);
    const have = trusted ?? (await hashFileAt(dest));
    if (have === entry.hash) {
      const fixedAt = Date.now();
      if (await setMeta(dest, existing, entry)) ctx.index.set(rel, await lstat(dest), entry.hash, fixedAt);
      else if (trusted === undefined) ctx.index.set(rel, existing, entry.hash, lookedAt);
      return undefined;
    }
  }
  const tmp = tempBeside(dir, name);
  let writtenAt = 0;
  try {
    await fillTemp(ctx, entry.hash, rel, tmp, options, sibling);
    writtenAt = Date.now();
    await chmod(tmp, entry.mode & 0o777);
    await utimes(tmp, entry.mtimeMs / 1000, entry.mtimeMs / 1000);
    await rename(tmp, dest);
  } catch (err) {
    await unlinkIfPresent(tmp);
    if (isNoSpace(err) && !(err instanceof NoSpaceError)) throw new NoSpaceError(where, rel, ctx.root, err, { bytes: entry.size });
    throw err;
  }
  dirs.touched.add(dir);
  ctx.index.set(rel, await lstat(dest), entry.hash, writtenAt);
  return dest;
}

/**
 * Puts the blob's bytes in `tmp`, flushed: from the store (moving the blob,
 * which is already flushed, or copying it), else from a file of the tree,
 * else fetched into the store first.
 */
async function fillTemp(
  ctx: ApplyContext,
  hash: string,
  rel: string,
  tmp: string,
  options: ApplyOptions,
  sibling: string | undefined,
): Promise<void> {
  const fromStore = async () => {
    const blob = ctx.store.blobPath(hash);
    try {
      if (options.keepBlobs) {
        await copyFile(blob, tmp);
        await syncFile(tmp);
      } else await rename(blob, tmp);
      return true;
    } catch (err) {
      if (isErrno(err, "ENOENT")) return false; // not stored, or another apply took it first
      throw err;
    }
  };
  if (sibling && (await copyVerified(sibling, tmp, hash, options.signal))) return;
  if (await fromStore()) return;
  for (const path of ctx.index.pathsOf(hash)) {
    const abs = join(ctx.root, path);
    const st = await lstatIfAny(abs);
    if (st?.isFile() && ctx.index.likely(path, st) === hash && (await copyVerified(abs, tmp, hash, options.signal))) return;
  }
  // Another apply into this root may take a fetched blob before we do: fetch again.
  for (let attempt = 0; options.fetch && attempt < 3; attempt++) {
    await options.fetch(hash);
    if (await fromStore()) return;
  }
  throw new BlobNotFoundError(ctx.store.name, hash, ctx.store.location, rel);
}

/** Gives an identical file the manifest's mode and mtime if it lacks them; whether it changed anything. */
async function setMeta(dest: string, st: Stats, entry: FileEntry): Promise<boolean> {
  let changed = false;
  if ((st.mode & 0o777) !== (entry.mode & 0o777)) {
    await chmod(dest, entry.mode & 0o777);
    changed = true;
  }
  if (Math.abs(st.mtimeMs - entry.mtimeMs) >= 1) {
    await utimes(dest, entry.mtimeMs / 1000, entry.mtimeMs / 1000);
    changed = true;
  }
  return changed;
}

async function writeLink(
  ctx: ApplyContext,
  link: SymlinkEntry,
  rel: string,
  dirs: Dirs,
): Promise<void> {
  const parts = splitRel(rel);
  const name = parts.at(-1)!;
  const dir = await ensureDirInside(where, ctx.root, parts.slice(0, -1), dirs.known, dirs.created);
  const dest = join(dir, name);
  const existing = await lstatIfAny(dest);
  if (existing?.isDirectory()) throw new PathConflictError(where, rel, ctx.root, "a folder is there where a link goes");
  if (existing?.isSymbolicLink() && (await readlink(dest)) === link.target) return;
  const tmp = tempBeside(dir, name);
  try {
    await symlink(link.target, tmp);
    await rename(tmp, dest);
  } catch (err) {
    await unlinkIfPresent(tmp);
    throw err;
  }
  ctx.index.delete(rel);
  dirs.touched.add(dir);
}
