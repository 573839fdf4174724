/**
 * What a host's PATH holds. Every host gets a folder of the system's POSIX
 * programs (links to /usr/bin's, minus every JavaScript runtime and package
 * manager), and, by its runtime, a folder with `node` (the system's, ≥ 20) or
 * `bun` (the repo's), or neither. sshd sets that PATH for every session.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, linkSync, mkdirSync, readdirSync, realpathSync, statSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { InvalidHostSpecError } from "./errors.ts";
import { findExecutable } from "./system.ts";

/** Which JavaScript runtime a host's PATH holds: "none" leaves only POSIX programs. */
export type HostRuntime = "node" | "bun" | "both" | "none";

/** Programs left out of the POSIX folder: a host's runtime comes only from its runtime folder. */
const runtimeNames = new Set(["node", "nodejs", "npm", "npx", "corepack", "bun", "bunx", "deno", "yarn", "yarnpkg", "pnpm", "pnpx"]);

/** Fills `dir` with links to the system's programs, minus runtimes. */
export function makePosixFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const seen = new Set<string>();
  for (const source of ["/usr/bin", "/bin"]) {
    let entries: string[];
    try {
      entries = readdirSync(source);
    } catch {
      continue;
    }
    for (const name of entries) {
      if (runtimeNames.has(name) || seen.has(name)) continue;
      seen.add(name);
      symlinkSync(join(source, name), join(dir, name));
    }
  }
}

/** The system's `node` if it is version 20 or later. */
function systemNode(): string {
  const candidates = ["/usr/bin/node", findExecutable("node"), process.release.name === "node" ? process.execPath : undefined];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      const version = execFileSync(candidate, ["--version"], { encoding: "utf8" }).trim();
      if (Number(/^v(\d+)/.exec(version)?.[1] ?? 0) >= 20) return realpathSync(candidate);
    } catch {
      // not a working node
    }
  }
  throw new InvalidHostSpecError('runtime "node" needs a node ≥ 20 on this machine (looked at /usr/bin/node and PATH); install Node 20 or pick runtime "bun" or "none"');
}

/** The repo's Bun binary (the `bun` npm package). */
function repoBun(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve("bun/package.json");
    return realpathSync(join(dirname(pkg), "bin", "bun.exe"));
  } catch (error) {
    throw new InvalidHostSpecError(`runtime "bun" needs the "bun" npm package installed in the repo (${String(error)}); run npm ci`);
  }
}

/** Whether any user may run `file`: every folder above it searchable by others, the file readable and executable. */
function openToOthers(file: string): boolean {
  let path = file;
  if ((statSync(path).mode & 0o005) !== 0o005) return false; // other users may neither read nor run it
  while (path !== "/") {
    path = dirname(path);
    if ((statSync(path).mode & 0o001) === 0) return false;
  }
  return true;
}

/** Puts `name` in `dir`, linked to `target` (copied when other users cannot reach it, e.g. a repo under /root). */
function provide(dir: string, name: string, target: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (openToOthers(target)) return symlinkSync(target, join(dir, name));
  if ((statSync(target).mode & 0o005) === 0o005) {
    try {
      return linkSync(target, join(dir, name)); // a hard link needs no searchable folders above the original
    } catch {
      // another file system
    }
  }
  copyFileSync(target, join(dir, name));
  chmodSync(join(dir, name), 0o755);
}

/** Makes the runtime folders `runtime` needs under `runtimesDir` (once) and returns the host's PATH. */
export function hostPath(runtime: HostRuntime, runtimesDir: string, posixDir: string): string {
  const nodeDir = join(runtimesDir, "node");
  const bunDir = join(runtimesDir, "bun");
  const ensure = (dir: string, name: string, target: () => string) => {
    try {
      statSync(join(dir, name));
    } catch {
      provide(dir, name, target());
    }
  };
  if (runtime === "node" || runtime === "both") ensure(nodeDir, "node", systemNode);
  if (runtime === "bun" || runtime === "both") ensure(bunDir, "bun", repoBun);
  switch (runtime) {
    case "node":
      return `${nodeDir}:${posixDir}`;
    case "bun":
      return `${bunDir}:${posixDir}`;
    case "both":
      return `${bunDir}:${nodeDir}:${posixDir}`;
    case "none":
      return posixDir;
  }
}
