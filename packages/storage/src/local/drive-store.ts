/**
 * Drives on this machine: `<app storage>/.drives/<id>/<work>/<name>`, one
 * folder per work that put something, filled and read with the transfer
 * engine (only changed content is copied). A work deletes only its own
 * files; without `allowDuplicates`, a file name belongs to the first work that
 * put it (see drive-claims.ts).
 */
import { lstat, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { DriveConflictError, DriveError, DriveNotFoundError, DriveOwnershipError } from "@lit-app/core";
import type { DriveSpec } from "@lit-app/core/internal";
import type { LocalRoot } from "../root.ts";
import type { sync } from "../sync.ts";
import { claim, claimOwner, release } from "./drive-claims.ts";
import { listFiles } from "./folders.ts";
import { workKey, workOfKey } from "./work-key.ts";

/** What drive operations need from the local storage. */
export interface DriveContext {
  /** The folder of a Drive. */
  driveDir(id: string): string;
  driveRoot(id: string): Promise<LocalRoot>;
  workDir(work: string): string;
  workRoot(work: string): Promise<LocalRoot>;
  sync: typeof sync;
}

const shown = (spec: DriveSpec) => `lit://${spec.id}`;
const under = (path: string, rel: string) => (rel === "" ? path : `${path}/${rel}`);
const present = (file: string) => lstat(file).then(() => true, () => false);

/** The works that put something in the Drive, and their folders. */
async function owners(ctx: DriveContext, spec: DriveSpec): Promise<Map<string, string>> {
  const dir = ctx.driveDir(spec.id);
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const work = entry.isDirectory() ? workOfKey(entry.name) : undefined;
    if (work !== undefined) out.set(work, join(dir, entry.name));
  }
  return out;
}

/** The works whose folder holds `path`. */
async function holdersOf(ctx: DriveContext, spec: DriveSpec, path: string): Promise<string[]> {
  const found: string[] = [];
  for (const [work, dir] of await owners(ctx, spec)) if (await present(join(dir, path))) found.push(work);
  return found.sort();
}

export async function drivePut(ctx: DriveContext, spec: DriveSpec, work: string, path: string): Promise<void> {
  const source = join(ctx.workDir(work), path);
  if (!(await present(source))) {
    throw new DriveNotFoundError(
      shown(spec),
      path,
      `${work} cannot put "${path}" in the Drive ${shown(spec)}: there is no "${path}" in its storage root (${ctx.workDir(work)}). ` +
        `Write it there first (at String(new L.Path("${path}"))).`,
    );
  }
  const driveDir = ctx.driveDir(spec.id);
  const mine = join(driveDir, workKey(work));
  const files = (await listFiles(source)).map((f) => under(path, f));
  const ownedBy = async (other: string, file: string) => present(join(driveDir, workKey(other), file));
  const had = new Set<string>();
  if (!spec.allowDuplicates) {
    // Fail early, before copying, when another work holds a name.
    for (const file of files) {
      const owner = await claimOwner(driveDir, file);
      if (owner !== undefined && owner !== work && (await ownedBy(owner, file))) throw new DriveConflictError(shown(spec), file, owner, work);
      if (await present(join(mine, file))) had.add(file);
    }
  }
  const report = await ctx.sync(await ctx.workRoot(work), await ctx.driveRoot(spec.id), path, { target: `${workKey(work)}/${path}` });
  if (!spec.allowDuplicates) {
    // Names are claimed once the files are in place: of two works putting one name at once, the first claim wins.
    let lost: { file: string; owner: string } | undefined;
    for (const file of files) {
      const owner = await claim(driveDir, file, work, async (other) => !(await ownedBy(other, file)));
      if (owner !== work) lost ??= { file, owner };
    }
    if (lost) {
      for (const file of files) {
        if (had.has(file)) continue;
        await rm(join(mine, file), { force: true });
        await release(driveDir, file, work);
      }
      throw new DriveConflictError(shown(spec), lost.file, lost.owner, work);
    }
  }
  // A folder put again: files it no longer has leave the Drive too.
  const kept = new Set(report.manifest.entries.map((e) => under(path, e.path)));
  for (const file of (await listFiles(join(mine, path))).map((f) => under(path, f))) {
    if (kept.has(file)) continue;
    await rm(join(mine, file), { force: true });
    await release(driveDir, file, work);
  }
}

export async function driveGet(ctx: DriveContext, spec: DriveSpec, work: string, path: string, from: string | undefined): Promise<void> {
  const candidates = from === undefined ? await holdersOf(ctx, spec, path) : (await holdersOf(ctx, spec, path)).filter((w) => w === from);
  if (candidates.length === 0) {
    const by = from === undefined ? "no work put it there" : `${from} did not put it there`;
    throw new DriveNotFoundError(
      shown(spec),
      path,
      `${work} cannot get "${path}" from the Drive ${shown(spec)}: ${by}. See what is there with drive.list().`,
    );
  }
  if (candidates.length > 1) {
    throw new DriveError(
      `${work} cannot get "${path}" from the Drive ${shown(spec)}: it was put by several works (${candidates.join(", ")}). ` +
        `Say which with drive.get("${path}", { from: "${candidates[0]}" }).`,
    );
  }
  const owner = candidates[0]!;
  await ctx.sync(await ctx.driveRoot(spec.id), await ctx.workRoot(work), `${workKey(owner)}/${path}`, { target: path });
}

export async function driveList(ctx: DriveContext, spec: DriveSpec, prefix: string, from: string | undefined): Promise<string[]> {
  const names = new Set<string>();
  for (const [work, dir] of await owners(ctx, spec)) {
    if (from !== undefined && work !== from) continue;
    for (const file of await listFiles(dir)) if (file.startsWith(prefix)) names.add(file);
  }
  return [...names].sort();
}

export async function driveDelete(ctx: DriveContext, spec: DriveSpec, work: string, path: string): Promise<void> {
  const driveDir = ctx.driveDir(spec.id);
  const target = join(driveDir, workKey(work), path);
  if (await present(target)) {
    const files = (await listFiles(target)).map((f) => under(path, f));
    await rm(target, { recursive: true, force: true });
    for (const file of files) await release(driveDir, file, work);
    return;
  }
  const others = await holdersOf(ctx, spec, path);
  if (others.length > 0) {
    throw new DriveOwnershipError(shown(spec), path, others.join(", "), work);
  }
  throw new DriveNotFoundError(
    shown(spec),
    path,
    `${work} cannot delete "${path}" from the Drive ${shown(spec)}: no work put it there. See what is there with drive.list().`,
  );
}
