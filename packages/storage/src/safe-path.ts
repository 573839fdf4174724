import { lstat, mkdir, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { PathConflictError, SymlinkEscapeError, UnsafePathError, isErrno } from "./errors.ts";

/** The folder of a storage root that holds its blob store and index; never synced. */
export const META_DIR = ".lit-storage";

const MAX_PATH = 4096;

/**
 * Checks a relative name that may come from outside (a manifest, a request)
 * and returns its parts. `""` names the root itself and is allowed only when
 * `allowRoot` is set. Names use `/` between parts.
 */
export function checkRelativePath(where: string, path: unknown, allowRoot = false): string[] {
  if (typeof path !== "string") throw new UnsafePathError(where, String(path), "it is not a string");
  if (path === "") {
    if (allowRoot) return [];
    throw new UnsafePathError(where, path, "it is empty");
  }
  if (path.length > MAX_PATH) throw new UnsafePathError(where, path.slice(0, 80), `it is longer than ${MAX_PATH} characters`);
  if (path.includes("\0")) throw new UnsafePathError(where, path, "it contains a NUL character");
  if (path.includes("\\")) throw new UnsafePathError(where, path, "it contains a backslash");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) throw new UnsafePathError(where, path, "it is an absolute path");
  const parts = path.split("/");
  for (const part of parts) {
    if (part === "..") throw new UnsafePathError(where, path, "it climbs out of its folder with '..'");
    if (part === "." || part === "") throw new UnsafePathError(where, path, "it has an empty or '.' part");
  }
  if (parts[0] === META_DIR) throw new UnsafePathError(where, path, `${META_DIR} is reserved for the store`);
  return parts;
}

/** Joins relative names, `""` being the root. */
export function joinRelative(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

/**
 * Checks that a symlink at `linkPath` (relative to the root) with this
 * `target` stays inside the root: the target must be relative, and following
 * it from the link's folder must not climb above the root.
 */
export function checkLinkTarget(where: string, root: string, linkPath: string, target: string): void {
  const escape = () => new SymlinkEscapeError(where, linkPath, target, root);
  if (target === "" || target.includes("\0") || target.includes("\\")) throw escape();
  if (target.startsWith("/") || /^[A-Za-z]:/.test(target)) throw escape();
  const stack = linkPath.split("/").slice(0, -1);
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (stack.length === 0) throw escape();
      stack.pop();
    } else stack.push(part);
  }
  if (stack[0] === META_DIR) throw escape();
}

/** Whether `path` (already resolved) is `root` or inside it. */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Makes sure the folder `parts` exists under `root` (a real path), creating
 * missing parts one at a time. A part that is a symlink is followed only if it
 * leads to a folder inside the root, so nothing is ever written outside it.
 * `known` remembers folders already checked during one operation, and
 * `created` (if given) those this call made, which are known to be empty.
 */
export async function ensureDirInside(
  where: string,
  root: string,
  parts: readonly string[],
  known: Set<string>,
  created?: Set<string>,
): Promise<string> {
  let current = root;
  let rel = "";
  for (const part of parts) {
    current = join(current, part);
    rel = joinRelative(rel, part);
    if (known.has(current)) continue;
    let st;
    try {
      st = await lstat(current);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
    if (!st) {
      try {
        await mkdir(current);
        created?.add(current);
      } catch (err) {
        if (!isErrno(err, "EEXIST")) throw err;
        st = await lstat(current);
      }
    }
    if (st?.isSymbolicLink()) {
      const real = await realpath(current).catch(() => "");
      if (!real || !isInside(root, real)) throw new SymlinkEscapeError(where, rel, real || "(dangling)", root);
      if (!(await lstat(real)).isDirectory()) {
        throw new PathConflictError(where, rel, root, "a symlink to something other than a folder is there");
      }
    } else if (st && !st.isDirectory()) {
      throw new PathConflictError(where, rel, root, "a file is there where a folder is needed");
    }
    known.add(current);
  }
  return current;
}
