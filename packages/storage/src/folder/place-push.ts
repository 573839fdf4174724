import type { Stats } from "node:fs";
import { chmodSync, copyFileSync, lstatSync, renameSync, statSync, symlinkSync, utimesSync } from "node:fs";
import { mkdir, realpath } from "node:fs/promises";
import { join } from "node:path";
import { BlobNotFoundError, NoSpaceError, PathConflictError, isErrno, isNoSpace } from "../errors.ts";
import { syncDir } from "../fs-util.ts";
import type { StorageLimits } from "../http/wire.ts";
import type { DirEntry, FileEntry, ManifestEntry, SymlinkEntry } from "../manifest.ts";
import type { LocalRoot } from "../root.ts";
import { checkLinkTarget, checkRelativePath, ensureDirInside, joinRelative } from "../safe-path.ts";
import { makeDurable } from "./durable.ts";
import { dropFolderRecord, readFolderRecord, recordOf, sameAsRecorded, writeFolderRecord } from "./folder-record.ts";
import type { FolderRecord, RecordedFile } from "./folder-record.ts";
import { manifestDigest } from "./push-wire.ts";
import { dropStaging } from "./staged-push.ts";
import type { StagedPush } from "./staged-push.ts";

const where = "folder push";

/** What placing a push changed. */
export interface PushResult {
  /** Files whose bytes were (re)written. */
  readonly filesWritten: number;
  readonly bytesWritten: number;
  /** The digest of the manifest now at the target. */
  readonly digest: string;
}

/**
 * Puts a staged push in place at `target` (relative to the root). A target
 * that does not exist yet, whose every file the push or the root's store
 * holds, is completed inside the staging folder, made durable with one flush
 * and renamed into place whole: a reader sees all of it or nothing, and an
 * interrupted push leaves nothing behind. Otherwise the staged files are
 * made durable at once, then each renamed over its place (each file whole),
 * and the rest of the manifest is applied as `apply` does. The staging
 * folder is removed in the end, and the target's record (see
 * `checkFolderRecord`) written.
 */
export async function placePush(root: LocalRoot, target: string, staged: StagedPush, limits: StorageLimits): Promise<PushResult> {
  try {
    const targetParts = checkRelativePath(where, target, true);
    await mkdir(root.dir, { recursive: true });
    const realRoot = await realpath(root.dir);
    for (const e of staged.manifest.entries) {
      if (e.type === "symlink") checkLinkTarget(where, realRoot, joinRelative(target, e.path), e.target);
    }
    await root.index.load();
    const previous = await readFolderRecord(realRoot, target, limits.manifestBytes);
    await dropFolderRecord(realRoot, target);
    const whole = target !== "" && !lstatSync(join(realRoot, target), { throwIfNoEntry: false }) && allAvailable(root, staged);
    const placed = (whole && (await placeWhole(root, realRoot, targetParts, staged))) || (await placeEach(root, realRoot, target, staged, previous));
    const digest = manifestDigest(staged.manifest);
    await writeFolderRecord(realRoot, target, digest, placed.record, limits.manifestBytes);
    return { filesWritten: placed.filesWritten, bytesWritten: placed.bytesWritten, digest };
  } catch (err) {
    if (isNoSpace(err) && !(err instanceof NoSpaceError)) throw new NoSpaceError(where, target, root.location, err);
    throw err;
  } finally {
    await dropStaging(staged.dir);
  }
}

interface Placed {
  readonly filesWritten: number;
  readonly bytesWritten: number;
  readonly record: RecordedFile[];
}

/** Whether every file's content is in the push or the root's store. */
function allAvailable(root: LocalRoot, staged: StagedPush): boolean {
  for (const e of staged.manifest.entries) {
    if (e.type !== "file" || staged.blobs.has(e.hash)) continue;
    if (!statSync(root.store.blobPath(e.hash), { throwIfNoEntry: false })) return false;
  }
  return true;
}

/** Completes the tree in the staging folder and renames it into place; `undefined` if the target appeared meanwhile. */
async function placeWhole(root: LocalRoot, realRoot: string, targetParts: string[], staged: StagedPush): Promise<Placed | undefined> {
  const { tree, manifest } = staged;
  const files: { entry: FileEntry; st: Stats; lookedAt: number }[] = [];
  const holder = new Map<string, string>();
  for (const blob of staged.blobs.values()) holder.set(blob.hash, join(tree, blob.entry.path));
  let bytesWritten = 0;
  for (const e of manifest.entries) {
    if (e.type !== "file") continue;
    bytesWritten += e.size;
    const blob = staged.blobs.get(e.hash);
    if (blob?.entry === e) {
      files.push({ entry: e, st: blob.stats!, lookedAt: blob.lookedAt! });
      continue;
    }
    const dest = join(tree, e.path);
    const from = holder.get(e.hash);
    if (from) copyFileSync(from, dest);
    else {
      try {
        renameSync(root.store.blobPath(e.hash), dest); // stored blobs are already flushed
      } catch (err) {
        if (isErrno(err, "ENOENT")) throw new BlobNotFoundError(where, e.hash, root.location, e.path);
        throw err;
      }
      holder.set(e.hash, dest);
    }
    chmodSync(dest, e.mode & 0o777);
    utimesSync(dest, e.mtimeMs / 1000, e.mtimeMs / 1000);
    const lookedAt = Date.now();
    files.push({ entry: e, st: lstatSync(dest), lookedAt });
  }
  const links = manifest.entries.filter((e): e is SymlinkEntry => e.type === "symlink");
  for (const link of links) symlinkSync(link.target, join(tree, link.path));
  const dirs = manifest.entries.filter((e): e is DirEntry => e.type === "dir");
  // Deepest first, and the base once it is in place: adding an entry to a folder changes its mtime.
  for (const dir of [...dirs].reverse()) if (dir.path !== "") setDirMeta(join(tree, dir.path), dir);
  await makeDurable(tree, () => [...files.map((f) => join(tree, f.entry.path)), ...dirs.map((d) => join(tree, d.path))]);

  const parent = await ensureDirInside(where, realRoot, targetParts.slice(0, -1), new Set());
  const dest = join(parent, targetParts.at(-1)!);
  try {
    renameSync(tree, dest);
  } catch (err) {
    if (isErrno(err, "EEXIST") || isErrno(err, "ENOTEMPTY") || isErrno(err, "ENOTDIR")) return undefined;
    throw err;
  }
  setDirMeta(dest, dirs[0]!);
  await syncDir(parent);
  const target = targetParts.join("/");
  const record: RecordedFile[] = [];
  for (const f of files) {
    root.index.set(joinRelative(target, f.entry.path), f.st, f.entry.hash, f.lookedAt);
    record.push(recordOf(f.entry.path, f.st, f.entry.hash));
  }
  for (const link of links) record.push(recordOf(link.path, lstatSync(join(dest, link.path)), ""));
  await root.index.save();
  return { filesWritten: files.length, bytesWritten, record };
}

/**
 * Makes the staged files durable, renames each over its place, then applies
 * the rest of the manifest: only the files that are not already there as the
 * last push left them (by its record: same content, and the same stat now),
 * with every folder and link, so that a push that changes one file of
 * thousands does not look at the others one by one again.
 */
async function placeEach(root: LocalRoot, realRoot: string, target: string, staged: StagedPush, previous: FolderRecord | undefined): Promise<Placed> {
  const { tree, manifest } = staged;
  await makeDurable(tree, () => [...staged.blobs.values()].map((b) => join(tree, b.entry.path)));
  const known = new Set<string>();
  const touched = new Set<string>();
  const record: RecordedFile[] = [];
  const placed = new Set<string>();
  let bytesWritten = 0;
  for (const blob of staged.blobs.values()) {
    const rel = joinRelative(target, blob.entry.path);
    const parts = rel.split("/");
    const dir = await ensureDirInside(where, realRoot, parts.slice(0, -1), known);
    const dest = join(dir, parts.at(-1)!);
    if (lstatSync(dest, { throwIfNoEntry: false })?.isDirectory()) {
      throw new PathConflictError(where, rel, realRoot, "a folder is there where a file goes");
    }
    renameSync(join(tree, blob.entry.path), dest);
    touched.add(dir);
    const lookedAt = Date.now();
    const st = lstatSync(dest);
    root.index.set(rel, st, blob.hash, lookedAt);
    record.push(recordOf(blob.entry.path, st, blob.hash));
    placed.add(blob.entry.path);
    bytesWritten += blob.size;
  }
  for (const dir of touched) await syncDir(dir);
  await root.index.save();

  const base = join(realRoot, target);
  const before = new Map((previous?.files ?? []).map((r) => [r[0], r]));
  const rest: ManifestEntry[] = [];
  for (const e of manifest.entries) {
    if (e.type === "file") {
      if (placed.has(e.path)) continue;
      const r = before.get(e.path);
      if (r && r[5] === e.hash) {
        const st = lstatSync(join(base, e.path), { throwIfNoEntry: false });
        const asWanted = st?.isFile() && (st.mode & 0o777) === (e.mode & 0o777) && Math.abs(st.mtimeMs - e.mtimeMs) < 1;
        if (asWanted && sameAsRecorded(st, r)) {
          record.push(r);
          continue;
        }
      }
    }
    rest.push(e);
  }
  const applied = await root.apply({ version: 1, entries: rest }, target);
  for (const e of rest) {
    if (e.type === "dir") continue;
    const st = lstatSync(join(base, e.path), { throwIfNoEntry: false });
    if (st) record.push(recordOf(e.path, st, e.type === "file" ? e.hash : ""));
  }
  return { filesWritten: staged.blobs.size + applied.filesWritten, bytesWritten: bytesWritten + applied.bytesWritten, record };
}

function setDirMeta(abs: string, dir: DirEntry): void {
  chmodSync(abs, dir.mode & 0o777);
  utimesSync(abs, dir.mtimeMs / 1000, dir.mtimeMs / 1000);
}

