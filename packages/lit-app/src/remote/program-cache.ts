/**
 * The programs `lit deploy` and `lit run --host` send to hosts (the agent
 * bundle, an app's work program, a deployed app's flow program), kept on this
 * machine once built: a deploy of an unchanged app runs no esbuild.
 *
 * In `$LIT_HOME/cache/programs/` (default `~/.lit`): per program (what it is
 * built from: its kind, the app's module, the compute names) a record naming
 * the built file (`<sha256>.mjs`, its bytes' hash) and every file esbuild
 * read for it (the app's files, lit-app's and its dependencies', with their
 * size and modification time), and esbuild's own package file. The build is
 * used while each of those files is unchanged; any change, or a record or
 * file that does not check out, builds it again. The oldest built files
 * beyond {@link KEEP_FILES} are removed as new ones are written.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync, utimesSync } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { writeFileAtomic } from "@lit-app/runtime";
import { z } from "zod";

/** A built program as the builders return it. */
export interface BuiltProgram {
  code: Uint8Array;
  /** The sha256 of `code` (64 hex digits). */
  hash: string;
  /** The files it was built from (absolute paths); a build without them is not kept. */
  inputs?: readonly string[];
}

/** A program from {@link cachedProgram}: its bytes and hash, what the builder noted, and whether it was built now. */
export interface CachedProgram<M> {
  code: Uint8Array;
  hash: string;
  /** What the build noted beside the bytes (the agent's version). */
  note: M;
  /** True when it was built by this call; false when the cache had it. */
  built: boolean;
}

/** Changes when a record's meaning changes: older records are then not used. */
const FORMAT = 1;
/** Built files kept in the folder (a few per app deployed from here). */
export const KEEP_FILES = 48;
/** A record lists a few thousand files at most: one much larger is not one this code wrote. */
const MAX_RECORD_BYTES = 4 << 20;

const recordSchema = z.object({
  format: z.literal(FORMAT),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  note: z.json(),
  inputs: z.array(z.tuple([z.string().max(4096), z.number(), z.number()])).max(100_000),
});

/** Where built programs are kept: `$LIT_HOME/cache/programs`. */
export function programCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.LIT_HOME || join(homedir(), ".lit"), "cache", "programs");
}

/** esbuild's package file (its version), as the agent's package resolves it; undefined if it is not found. */
function esbuildPackage(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return createRequire(require.resolve("@lit-app/gpu-agent")).resolve("esbuild/package.json");
  } catch {
    return undefined;
  }
}

/** The record's file for a program: a hash of what it is built from. */
function recordFile(root: string, key: unknown): string {
  return join(root, `${createHash("sha256").update(JSON.stringify({ FORMAT, key })).digest("hex").slice(0, 32)}.json`);
}

/** The file's size and modification time, or undefined when it is not there. */
function stamp(path: string): [number, number] | undefined {
  const s = statSync(path, { throwIfNoEntry: false });
  return s ? [s.size, s.mtimeMs] : undefined;
}

/** The program the record at `file` names, if every file it was built from is unchanged and its bytes check out. */
function fromCache(root: string, file: string): { code: Uint8Array; hash: string; note: unknown } | undefined {
  try {
    if ((statSync(file, { throwIfNoEntry: false })?.size ?? Infinity) > MAX_RECORD_BYTES) return undefined;
    const parsed = recordSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) return undefined;
    const record = parsed.data;
    for (const [path, size, mtimeMs] of record.inputs) {
      const now = stamp(path);
      if (!now || now[0] !== size || now[1] !== mtimeMs) return undefined;
    }
    const built = join(root, `${record.hash}.mjs`);
    const code = readFileSync(built);
    if (code.length !== record.size || createHash("sha256").update(code).digest("hex") !== record.hash) return undefined;
    // Used: the last to be removed when the folder is trimmed.
    const now = new Date();
    utimesSync(built, now, now);
    return { code: new Uint8Array(code.buffer, code.byteOffset, code.length), hash: record.hash, note: record.note };
  } catch {
    return undefined;
  }
}

/** Removes the oldest built files beyond {@link KEEP_FILES} (but `keep`); a record naming one is then not used. */
async function trim(root: string, keep: string): Promise<void> {
  const names = (await readdir(root)).filter((n) => /^[0-9a-f]{64}\.mjs$/.test(n) && n !== keep);
  if (names.length < KEEP_FILES) return;
  const dated = await Promise.all(names.map(async (n) => ({ n, at: (await stat(join(root, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  dated.sort((a, b) => a.at - b.at);
  for (const { n } of dated.slice(0, dated.length - KEEP_FILES + 1)) await rm(join(root, n), { force: true });
}

/** Look-ups under way, by record file: two at once for one program build it once. */
const pending = new Map<string, Promise<CachedProgram<unknown>>>();

/**
 * The program `build` makes for `key` (JSON: what it is built from), from
 * the cache when the files it was built from are unchanged; otherwise built
 * and kept. A cache that cannot be written is not an error: the program is
 * then built each time.
 * @param build builds it; `note` is kept beside it (JSON), and given back with a cached copy
 */
export function cachedProgram<M>(key: unknown, build: () => Promise<BuiltProgram & { note?: M }>, root = programCacheDir()): Promise<CachedProgram<M>> {
  const file = recordFile(root, key);
  let look = pending.get(file);
  if (!look) {
    look = lookUpOrBuild(root, file, build);
    pending.set(file, look);
    const done = () => void (pending.get(file) === look && pending.delete(file));
    look.then(done, done);
  }
  return look as Promise<CachedProgram<M>>;
}

async function lookUpOrBuild<M>(root: string, file: string, build: () => Promise<BuiltProgram & { note?: M }>): Promise<CachedProgram<M>> {
  const cached = fromCache(root, file);
  if (cached) return { code: cached.code, hash: cached.hash, note: cached.note as M, built: false };
  const program = await build();
  const note = (program.note ?? null) as M;
  if (program.inputs) {
    const esbuild = esbuildPackage();
    const inputs: [string, number, number][] = [];
    for (const path of [...program.inputs, ...(esbuild ? [esbuild] : [])]) {
      const s = stamp(path);
      // A file that is gone already: a record that could never be used.
      if (!s) return { code: program.code, hash: program.hash, note, built: true };
      inputs.push([path, ...s]);
    }
    const record = { format: FORMAT, hash: program.hash, size: program.code.length, note, inputs };
    try {
      await mkdir(root, { recursive: true });
      await writeFileAtomic(join(root, `${program.hash}.mjs`), program.code);
      await writeFileAtomic(file, JSON.stringify(record));
      await trim(root, `${program.hash}.mjs`);
    } catch {
      // Not kept (a read-only home): built again next time.
    }
  }
  return { code: program.code, hash: program.hash, note, built: true };
}
