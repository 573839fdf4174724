/**
 * A Bun executable for a host's OS and architecture, taken from Bun's npm
 * platform packages (`@oven/bun-linux-x64`, `@oven/bun-linux-aarch64-musl`,
 * ...) installed here. Bun's own install step may have moved the binary of
 * this machine's platform into `bun/bin/bun.exe`; that one is used when its
 * version and machine type say it is the same build.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** What a host runs on, from `uname -sm` and its C library. */
export interface HostPlatform {
  /** `linux` or `darwin`. */
  os: string;
  /** `x64` or `aarch64` (Bun's names). */
  arch: string;
  musl: boolean;
}

/** A Bun build found here. */
export interface BunRuntime {
  /** The executable here. */
  path: string;
  version: string;
  size: number;
  /** The npm package it comes from. */
  packageName: string;
  /** `bun-<version>-<os>-<arch>[-musl]`: its name on hosts, under `<lit home>/runtimes/`. */
  name: string;
}

const ARCH: Record<string, string> = { x86_64: "x64", amd64: "x64", aarch64: "aarch64", arm64: "aarch64" };
const OS: Record<string, string> = { Linux: "linux", Darwin: "darwin" };
/** ELF e_machine values, to tell an x64 binary from an arm64 one. */
const ELF_MACHINE: Record<string, number> = { x64: 0x3e, aarch64: 0xb7 };

/** The platform of `uname -sm` output (`Linux x86_64`), or undefined when Bun has no build for it. */
export function platformOf(uname: string, musl: boolean): HostPlatform | undefined {
  const [sys, machine] = uname.trim().split(/\s+/);
  const os = OS[sys ?? ""];
  const arch = ARCH[machine ?? ""];
  return os === undefined || arch === undefined ? undefined : { os, arch, musl: os === "linux" && musl };
}

/** `@oven/bun-linux-x64`, `@oven/bun-linux-aarch64-musl`, `@oven/bun-darwin-aarch64`. */
export const bunPackageName = (p: HostPlatform): string => `@oven/bun-${p.os}-${p.arch}${p.musl ? "-musl" : ""}`;

function isBuildFor(file: string, p: HostPlatform): boolean {
  const header = Buffer.alloc(20);
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    readSync(fd, header, 0, 20, 0);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (p.os === "linux") return header.readUInt32BE(0) === 0x7f454c46 && header.readUInt16LE(18) === ELF_MACHINE[p.arch];
  // Mach-O 64-bit: cputype x86_64 0x01000007, arm64 0x0100000c
  return header.readUInt32LE(0) === 0xfeedfacf && header.readUInt32LE(4) === (p.arch === "x64" ? 0x01000007 : 0x0100000c);
}

const sizeOf = (file: string): number | undefined => {
  try {
    const s = statSync(file);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Finds the Bun executable for `p` among the installed packages, or returns
 * the name of the package to install.
 */
export function findBunRuntime(p: HostPlatform, from: string = import.meta.url): BunRuntime | { missing: string } {
  const packageName = bunPackageName(p);
  const require = createRequire(from);
  let dir: string;
  let version: string;
  try {
    const manifest = require.resolve(`${packageName}/package.json`);
    dir = dirname(manifest);
    version = (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  } catch {
    return { missing: packageName };
  }
  const name = `bun-${version}-${p.os}-${p.arch}${p.musl ? "-musl" : ""}`;
  const own = join(dir, "bin", "bun");
  const ownSize = sizeOf(own);
  if (ownSize !== undefined && isBuildFor(own, p)) return { path: own, version, size: ownSize, packageName, name };
  // Moved into the `bun` package by its postinstall step: the same build if the versions and machine agree.
  try {
    const bunManifest = require.resolve("bun/package.json");
    const bunVersion = (JSON.parse(readFileSync(bunManifest, "utf8")) as { version: string }).version;
    const moved = join(dirname(bunManifest), "bin", "bun.exe");
    const movedSize = sizeOf(moved);
    if (bunVersion === version && movedSize !== undefined && isBuildFor(moved, p)) return { path: moved, version, size: movedSize, packageName, name };
  } catch {
    // no `bun` package: only the platform package counts
  }
  return { missing: packageName };
}

/**
 * The command that installs the Bun build for `p` here, pinned to the
 * version of the `bun` package installed (npm >= 10.1 takes `--os`/`--cpu`
 * to install another platform's package).
 */
export function bunInstallCommand(p: HostPlatform, from: string = import.meta.url): string {
  let version = "";
  try {
    const manifest = createRequire(from).resolve("bun/package.json");
    version = `@${(JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version}`;
  } catch {
    // no `bun` package here: the latest build
  }
  const cpu = p.arch === "aarch64" ? "arm64" : p.arch;
  return `npm install --no-save --os=${p.os} --cpu=${cpu} ${bunPackageName(p)}${version}`;
}
