import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isErrno } from "../errors.ts";
import type { ScanFilter } from "../scan.ts";
import { isIgnored, parseIgnoreFile } from "./gitignore.ts";
import type { IgnoreRule } from "./gitignore.ts";

/** Options of {@link ignoreFilter}. */
export interface IgnoreFilterOptions {
  /** The ignore files read in each folder, later ones overriding earlier ones; `.gitignore` then `.litignore` by default. */
  readonly files?: readonly string[];
  /** Patterns (gitignore syntax) applied first, as if in a file at the root; by default `.git/` and `.lit/`. */
  readonly patterns?: readonly string[];
}

/** Ignore files larger than this are refused: a mistake, not a list of patterns. */
const MAX_IGNORE_FILE = 1 << 20;

/** Left out by default: git's own folder, and lit's (the works' storage, the sync's index). */
export const DEFAULT_IGNORED = [".git/", ".lit/"] as const;

/**
 * A scan filter that honours the ignore files of a folder tree as git does:
 * each folder's `.gitignore` (then `.litignore`) applies to what is under it,
 * deeper files and later lines win, and what is in an ignored folder stays
 * out whatever later patterns say.
 *
 * @example
 * const root = localRoot(appDir, { filter: ignoreFilter(appDir) });
 */
export function ignoreFilter(rootDir: string, options: IgnoreFilterOptions = {}): ScanFilter {
  const files = options.files ?? [".gitignore", ".litignore"];
  const base = parseIgnoreFile((options.patterns ?? DEFAULT_IGNORED).join("\n"));
  const cache = new Map<string, Promise<IgnoreRule[]>>();

  async function rulesOf(dir: string): Promise<IgnoreRule[]> {
    let rules = cache.get(dir);
    if (!rules) {
      const parent = dir === "" ? Promise.resolve(base) : rulesOf(dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "");
      rules = parent.then(async (inherited) => {
        const own: IgnoreRule[] = [];
        for (const file of files) own.push(...parseIgnoreFile(await readIgnoreFile(join(rootDir, dir, file)), dir));
        return own.length === 0 ? inherited : [...inherited, ...own];
      });
      cache.set(dir, rules);
    }
    return rules;
  }

  return async (dir, entries) => {
    const rules = await rulesOf(dir);
    return entries.map((e) => isIgnored(rules, dir === "" ? e.name : `${dir}/${e.name}`, e.isDir));
  };
}

async function readIgnoreFile(path: string): Promise<string> {
  try {
    const text = await readFile(path, "utf8");
    if (text.length > MAX_IGNORE_FILE) throw new Error(`[storage] [ignore] ${path} is larger than ${MAX_IGNORE_FILE} bytes; an ignore file lists patterns, one a line`);
    return text;
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "EISDIR") || isErrno(err, "ENOTDIR")) return "";
    throw err;
  }
}
