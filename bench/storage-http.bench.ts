/**
 * Storage over HTTP on loopback: the storage routes served by two processes
 * (two agents), and this process moving files between them or from its own
 * folder, each figure beside a system tool doing the same job in the same
 * run (`cat` for one large file, `rsync -a` into a local folder for a tree of
 * small files). Temp data lives under the system temp folder and is removed.
 *
 * Registered in suites.ts (`npm run bench -- storage-http`); also runs alone:
 * node --import tsx bench/storage-http.bench.ts
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { localRoot, sync, syncFolder } from "@lit-app/storage";
import { httpRoot } from "@lit-app/storage/http";
import type { HttpRoot } from "@lit-app/storage/http";
import { FULL, printTable, type BenchOptions, type BenchRow } from "./harness.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const here = dirname(fileURLToPath(import.meta.url));

const RUNS = {
  full: { largeBytes: GiB, smallFiles: 10_000 },
  tiny: { largeBytes: MiB, smallFiles: 100 },
} as const;

function sizeLabel(bytes: number): string {
  return bytes >= GiB ? `${bytes / GiB} GiB` : `${bytes / MiB} MiB`;
}

function hasRsync(): boolean {
  return spawnSync("rsync", ["--version"], { stdio: "ignore" }).status === 0;
}

/** Runs a command to its end (after writing dirty pages out) and returns the wall time in ms. */
function timeCommand(cmd: string, args: string[]): number {
  spawnSync("sync", [], { stdio: "ignore" });
  const start = performance.now();
  const result = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${result.stderr?.toString()}`);
  return performance.now() - start;
}

async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  spawnSync("sync", [], { stdio: "ignore" });
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** A storage server process (an agent's storage routes) over `dir`. */
async function serve(dir: string): Promise<{ root: HttpRoot; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(here, "fixtures", "storage-server.ts"), dir], {
    cwd: here,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { url, token } = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(JSON.parse(out.slice(0, out.indexOf("\n"))) as { url: string; token: string });
    });
    void exited.then(() => reject(new Error("the storage server exited before listening")));
  });
  return {
    root: httpRoot({ url, token }),
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

async function bigFile(path: string, size: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const block = randomBytes(MiB);
  const fh = await open(path, "w");
  try {
    for (let at = 0, i = 0; at < size; at += MiB, i++) {
      block.writeUInt32LE(i, 0);
      await fh.write(block, 0, Math.min(MiB, size - at), at);
    }
  } finally {
    await fh.close();
  }
}

/** `count` files of 1–19 KiB (about `count` × 10 KiB in all) in 100 folders. */
async function smallFiles(dir: string, count: number): Promise<number> {
  let total = 0;
  const pool = randomBytes(20 * 1024 + count);
  for (let i = 0; i < count; i++) {
    const size = 1024 + ((i * 7919) % (18 * 1024 + 1));
    const sub = join(dir, `d${i % 100}`);
    if (i < 100) await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `f${i}.bin`), pool.subarray(i, i + size));
    total += size;
  }
  return total;
}

async function largeFile(work: string, size: number, a: { dir: string; root: HttpRoot }, b: { dir: string; root: HttpRoot }): Promise<BenchRow[]> {
  await bigFile(join(a.dir, "run/model.bin"), size);
  const copy = join(work, "cat-copy.bin");
  timeCommand("cat", [join(a.dir, "run/model.bin")]); // same start for all: the source in the page cache
  const cat = timeCommand("sh", ["-c", 'cat "$1" > "$2"', "sh", join(a.dir, "run/model.bin"), copy]);
  await rm(copy);
  const hostToHost = await timeIt(() => sync(a.root, b.root, "run"));
  if (hostToHost.value.bytesSent !== size) throw new Error(`expected ${size} bytes sent host to host, got ${hostToHost.value.bytesSent}`);
  const again = await timeIt(() => sync(a.root, b.root, "run"));
  const local = join(work, "local");
  await bigFile(join(local, "up/model.bin"), size);
  timeCommand("cat", [join(local, "up/model.bin")]);
  const upload = await timeIt(() => sync(localRoot(local), b.root, "up"));
  const rsyncArgs = ["-a", join(a.dir, "run/model.bin"), copy];
  const rsyncAgain = hasRsync() ? (timeCommand("rsync", rsyncArgs), timeCommand("rsync", rsyncArgs)) : Number.NaN;
  const mbps = (ms: number) => `${(size / MiB / (ms / 1000)).toFixed(0)} MiB/s`;
  const label = `${sizeLabel(size)} file`;
  return [
    { name: `${label}, agent A → agent B (streamed through here, verified, flushed)`, value: hostToHost.ms, unit: "ms", baselineName: "cat a > b (one disk)", baseline: cat, note: mbps(hostToHost.ms) },
    { name: `${label}, this machine → agent (upload)`, value: upload.ms, unit: "ms", baselineName: "cat a > b (one disk)", baseline: cat, note: mbps(upload.ms) },
    { name: `${label}, agent A → agent B unchanged re-sync (target ≤ 50 ms)`, value: again.ms, unit: "ms", baselineName: "rsync -a (unchanged, local)", baseline: rsyncAgain, note: `${again.value.bytesSent} bytes sent` },
  ];
}

async function folder(work: string, count: number, b: { dir: string; root: HttpRoot }): Promise<BenchRow[]> {
  const app = join(work, "app");
  const total = await smallFiles(app, count);
  const r = join(work, "rsync-copy");
  await mkdir(r, { recursive: true });
  const rsync = () => (hasRsync() ? timeCommand("rsync", ["-a", `${app}/`, `${r}/`]) : Number.NaN);
  const rsyncFirst = rsync();
  const first = await timeIt(() => syncFolder(app, b.root, { target: "app" }));
  const rsyncAgain = rsync();
  const again = await timeIt(() => syncFolder(app, b.root, { target: "app" }));
  const label = `${count.toLocaleString("en")} files, ${(total / MiB).toFixed(0)} MiB, syncFolder this machine → agent`;
  return [
    { name: `${label}, first sync`, value: first.ms, unit: "ms", baselineName: "rsync -a (local dir)", baseline: rsyncFirst, note: `${first.value.blobsSent} blobs sent` },
    { name: `${label}, unchanged`, value: again.ms, unit: "ms", baselineName: "rsync -a (local dir)", baseline: rsyncAgain, note: `${again.value.bytesSent} bytes sent` },
  ];
}

/** Runs the HTTP storage benchmarks; the servers stop and every temp file is removed, even on failure. */
export async function benchStorageHttp(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const run = options.tiny ? RUNS.tiny : RUNS.full;
  const work = await mkdtemp(join(tmpdir(), "lit-bench-storage-http-"));
  const stops: (() => Promise<void>)[] = [];
  try {
    const aDir = join(work, "agent-a");
    const bDir = join(work, "agent-b");
    const a = await serve(aDir);
    stops.push(a.stop);
    const b = await serve(bDir);
    stops.push(b.stop);
    return [
      ...(await largeFile(work, run.largeBytes, { dir: aDir, root: a.root }, { dir: bDir, root: b.root })),
      ...(await folder(work, run.smallFiles, { dir: bDir, root: b.root })),
    ];
  } finally {
    for (const stop of stops) await stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("storage over HTTP on loopback (two agent processes)", await benchStorageHttp());
}
