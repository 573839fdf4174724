/** Helpers for the storage tests and bench (no vitest here): trees, big files, fixtures under each runtime. */
import { runtimeKind } from "@lit-app/runtime";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, open, readdir, readlink, symlink, utimes, writeFile } from "node:fs/promises";
import { realpathSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** What to put at a path: text, bytes, a link, or a file with a mode and mtime. */
export type TreeSpec = Record<
  string,
  string | Uint8Array | { link: string } | { dir: true; mode?: number } | { content: string | Uint8Array; mode?: number; mtime?: Date }
>;

/**
 * Gives a file the current time as its mtime, in whole milliseconds. A copied
 * mtime is within a microsecond of its source's, and {@link describeTree}
 * shows mtimes in ms: a source's mtime half-way between two ms could show as
 * the one below on the copy.
 */
async function wholeMs(path: string): Promise<void> {
  const seconds = Date.now() / 1000;
  await utimes(path, seconds, seconds);
}

/** Writes files, folders and links under `root`; files written without an mtime get the current time in whole ms. */
export async function writeTree(root: string, spec: TreeSpec): Promise<void> {
  for (const [path, value] of Object.entries(spec)) {
    const abs = join(root, path);
    await mkdir(dirname(abs), { recursive: true });
    if (typeof value === "string" || value instanceof Uint8Array) {
      await writeFile(abs, value);
      await wholeMs(abs);
    } else if ("link" in value) await symlink(value.link, abs);
    else if ("dir" in value) {
      await mkdir(abs, { recursive: true });
      if (value.mode !== undefined) await chmod(abs, value.mode);
    } else {
      await writeFile(abs, value.content);
      if (value.mode !== undefined) await chmod(abs, value.mode);
      if (value.mtime) await utimes(abs, value.mtime, value.mtime);
    }
  }
}

/** What a tree holds, as a user would check it: per path its kind, mode, mtime (ms) and content hash or link target. */
export async function describeTree(root: string, skip = ".lit-storage"): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    for (const name of (await readdir(join(root, rel))).sort()) {
      if (rel === "" && name === skip) continue;
      const path = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(root, path));
      const mode = (st.mode & 0o777).toString(8);
      if (st.isSymbolicLink()) out[path] = `link -> ${await readlink(join(root, path))}`;
      else if (st.isDirectory()) {
        out[path] = `dir ${mode}`;
        await walk(path);
      } else out[path] = `file ${mode} ${Math.round(st.mtimeMs)} ${await fileHash(join(root, path))}`;
    }
  }
  await walk("");
  return out;
}

/** The sha256 of a file, streamed. */
export async function fileHash(path: string): Promise<string> {
  const hasher = createHash("sha256");
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hasher.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hasher.digest("hex");
}

/** Writes a file of `size` bytes of varied content, 1 MiB at a time, without holding it in memory. */
export async function writeBigFile(path: string, size: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const block = randomBytes(1 << 20);
  const fh = await open(path, "w");
  try {
    for (let at = 0, i = 0; at < size; at += block.length, i++) {
      block.writeUInt32LE(i, 0); // no two blocks alike
      await fh.write(block, 0, Math.min(block.length, size - at), at);
    }
  } finally {
    await fh.close();
  }
  await wholeMs(path);
}

/** The package folder, and the command line fixture. */
export const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const cliFixture = join(packageDir, "test", "fixtures", "storage-cli.ts");
export const binDir = join(packageDir, "..", "..", "node_modules", ".bin");

/**
 * Node's binary when running under `bun --bun` (npm run test:bun), where
 * execPath and the first `node` on the PATH are bun itself.
 */
function realNode(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "node");
    try {
      if (!realpathSync(candidate).includes("bun")) return candidate;
    } catch {
      // not in this folder
    }
  }
  return "node";
}

/** The command that runs a TypeScript file under a runtime. */
export function runtimeCommand(runtime: "node" | "bun" | "deno", script: string): [string, string[]] {
  if (runtime === "node") {
    const node = runtimeKind() !== "bun" ? process.execPath : realNode();
    return [node, ["--import", "tsx", script]];
  }
  if (runtime === "bun") return [join(binDir, "bun"), ["run", script]];
  return [join(binDir, "deno"), ["run", "-A", script]];
}

/** A running fixture: its JSON lines as they come, and its end. */
export interface Fixture {
  readonly pid: number;
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first line that has `key`. */
  waitFor(key: string): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: string | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts the command line fixture under a runtime. */
export function startFixture(runtime: "node" | "bun" | "deno", args: string[]): Fixture {
  const [cmd, cmdArgs] = runtimeCommand(runtime, cliFixture);
  const child = spawn(cmd, [...cmdArgs, ...args], { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buffered = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.on("data", (d: Buffer) => {
    buffered += d.toString();
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => w.key in line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    pid: child.pid!,
    lines,
    exited,
    kill: (signal) => child.kill(signal),
    waitFor(key) {
      const seen = lines.find((l) => key in l);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ key, resolve });
        void exited.then(({ code, stderr }) =>
          reject(new Error(`fixture exited (${code}) before printing ${key}: ${JSON.stringify(lines)} ${stderr}`)),
        );
      });
    },
  };
}

/** Runs the fixture to its end and returns its lines. */
export async function runFixture(runtime: "node" | "bun" | "deno", args: string[]): Promise<Record<string, unknown>[]> {
  const fixture = startFixture(runtime, args);
  const { code, stderr } = await fixture.exited;
  if (code !== 0) throw new Error(`${runtime} fixture failed (${code}): ${JSON.stringify(fixture.lines)} ${stderr}`);
  return fixture.lines;
}
