/**
 * Finding a built thread program (thread-program.ts) without building one: a
 * record per set of framework sources, in `$LIT_HOME/cache/thread-programs/`,
 * names the build's folder and the files it was built from; the build is used
 * while those files are unchanged (size and modification time). Cheap and
 * synchronous (a record read and a stat per source file), so that it can be
 * asked as threads start; on Bun only (the program registers a Bun plugin).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** Changes when what a build holds or how it is laid out does: older records are then not used. */
export const FORMAT = 2;
/** The work program's source, which the build starts. */
export const BOOT = fileURLToPath(new URL("../worker/boot.ts", import.meta.url));
/** The build's entry file. */
export const PROGRAM = "program.js";

/** The framework an app imports: what a build is made of (and its record found by). */
export interface Sources {
  /** The core's index: its folder's modules are each pointed at the build's copy. */
  core: string;
  /** lit-app as the app resolves it: its index (what the app imports) and its work side (what replaces it). */
  litApp?: { index: string; workSide: string };
}

/** What a build's record says: its folder and the files (size, mtime) it was built from. */
export interface BuildRecord {
  format: number;
  dir: string;
  inputs: [path: string, size: number, mtimeMs: number][];
}

/** Where built programs are kept: `$LIT_HOME/cache/thread-programs`. */
export function threadProgramsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.LIT_HOME || join(homedir(), ".lit"), "cache", "thread-programs");
}

/** A build's folder: the first 32 hex digits of the SHA-256 of its files. */
export const BUILD_DIR = /^[0-9a-f]{32}$/;

const sourcesByApp = new Map<string, Sources>();

/** The framework the app at `appModule` (a file URL) imports. */
export function sourcesOf(appModule: string): Sources {
  let sources = sourcesByApp.get(appModule);
  if (sources) return sources;
  sources = { core: fileURLToPath(import.meta.resolve("@lit-app/core")) };
  try {
    const require = createRequire(fileURLToPath(appModule));
    sources.litApp = { index: require.resolve("lit-app"), workSide: require.resolve("lit-app/work-side") };
  } catch {
    // An app that does not import lit-app (it uses the core): only the core is pointed at the build.
  }
  sourcesByApp.set(appModule, sources);
  return sources;
}

/** The app module's file URL, from a URL, a file URL or a path. */
export function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return /^[a-z]+:/i.test(module) ? module : pathToFileURL(module).href;
}

/** A 64-bit FNV-1a hash of `text`, in hex: names a record without loading a crypto module at each start. */
function fnv1a(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) hash = BigInt.asUintN(64, (hash ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
  return hash.toString(16).padStart(16, "0");
}

/** The record's file for a set of sources: which framework files, on which layout. */
export function recordPath(sources: Sources, root: string): string {
  return join(root, `${fnv1a(JSON.stringify({ FORMAT, sources, boot: BOOT }))}.json`);
}

/** A record is a list of a few hundred files: one much larger is not one this code wrote. */
const MAX_RECORD_BYTES = 1 << 20;

/** The record in `value` (parsed JSON), if it is one of this format: a build's folder and its files' sizes and mtimes. */
function readRecord(value: unknown): BuildRecord | undefined {
  const record = value as Partial<BuildRecord> | null;
  if (typeof record !== "object" || record === null || record.format !== FORMAT || typeof record.dir !== "string" || !BUILD_DIR.test(record.dir)) return undefined;
  const inputs = record.inputs;
  const valid = Array.isArray(inputs) && inputs.every((i) => Array.isArray(i) && i.length === 3 && typeof i[0] === "string" && typeof i[1] === "number" && typeof i[2] === "number");
  return valid ? (record as BuildRecord) : undefined;
}

/**
 * The built program for the app at `appModule` if one was built from the
 * framework files as they are now; undefined otherwise. Synchronous and cheap
 * (a record read and a stat per source file): checked when threads start.
 */
export function cachedThreadProgram(appModule: string | URL, root = threadProgramsDir()): URL | undefined {
  try {
    const file = recordPath(sourcesOf(moduleUrl(appModule)), root);
    if ((statSync(file, { throwIfNoEntry: false })?.size ?? Infinity) > MAX_RECORD_BYTES) return undefined;
    const record = readRecord(JSON.parse(readFileSync(file, "utf8")));
    if (!record) return undefined;
    for (const [path, size, mtimeMs] of record.inputs) {
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat || stat.size !== size || stat.mtimeMs !== mtimeMs) return undefined;
    }
    const program = join(root, record.dir, PROGRAM);
    return existsSync(program) ? pathToFileURL(program) : undefined;
  } catch {
    return undefined;
  }
}
