/**
 * Storage benchmarks: the transfer engine between two storage roots on the
 * same disk, each figure beside a system tool doing the same job in the same
 * run (`cp` for one large file, `rsync -a` for a tree of small files).
 * Temp data lives under the system temp folder and is removed afterwards.
 *
 * Registered in run.ts (`npm run bench -- storage`); also runs alone:
 * node --import tsx bench/storage.bench.ts
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { localRoot, sync } from "@lit-app/storage";
import { FULL, printTable, type BenchOptions, type BenchRow } from "./harness.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** The large file's size and the number of small files, full and tiny. */
const RUNS = {
  full: { largeBytes: GiB, smallFiles: 10_000 },
  tiny: { largeBytes: 8 * MiB, smallFiles: 200 },
} as const;

/** "1 GiB", "8 MiB". */
function sizeLabel(bytes: number): string {
  return bytes >= GiB ? `${bytes / GiB} GiB` : `${bytes / MiB} MiB`;
}

function hasCommand(cmd: string): boolean {
  return spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * Writes dirty pages out before each measurement, so that one figure does not
 * pay for the writeback of the data of the one before.
 */
function flushDisk(): void {
  spawnSync("sync", [], { stdio: "ignore" });
}

/** Runs a command to its end and returns the wall time in ms. */
function timeCommand(cmd: string, args: string[]): number {
  flushDisk();
  const start = performance.now();
  const result = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${result.stderr?.toString()}`);
  return performance.now() - start;
}

async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  flushDisk();
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** A file of varied bytes, written 1 MiB at a time. */
async function bigFile(path: string, size: number): Promise<void> {
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

async function oneLargeFile(work: string, size: number): Promise<BenchRow[]> {
  const a = join(work, "large-a");
  const b = join(work, "large-b");
  const c = join(work, "large-cp");
  await mkdir(a, { recursive: true });
  await mkdir(c, { recursive: true });
  await bigFile(join(a, "model.bin"), size);
  timeCommand("cat", [join(a, "model.bin")]); // same start for both: the source in the page cache
  const cp = timeCommand("cp", [join(a, "model.bin"), join(c, "model.bin")]);
  await rm(join(c, "model.bin"));
  const cpSync = timeCommand("sh", ["-c", `cp "$1" "$2" && sync "$2"`, "sh", join(a, "model.bin"), join(c, "model.bin")]);
  await rm(join(c, "model.bin"));
  const first = await timeIt(() => sync(localRoot(a), localRoot(b), "model.bin"));
  if (first.value.bytesSent !== size) throw new Error(`expected ${sizeLabel(size)} (${size} bytes) sent, got ${first.value.bytesSent}`);
  const again = await timeIt(() => sync(localRoot(a), localRoot(b), "model.bin"));
  // The unchanged re-sync is set beside rsync's own quick check of a copy it made.
  const rsyncArgs = ["-a", join(a, "model.bin"), join(c, "model.bin")];
  const rsyncAgain = hasCommand("rsync") ? (timeCommand("rsync", rsyncArgs), timeCommand("rsync", rsyncArgs)) : Number.NaN;
  await rm(c, { recursive: true });
  const mbps = (ms: number) => size / MiB / (ms / 1000);
  const label = `${sizeLabel(size)} file`;
  return [
    { name: `${label}, first sync between two roots (verified, flushed)`, value: first.ms, unit: "ms", baselineName: "cp", baseline: cp, note: `${mbps(first.ms).toFixed(0)} MiB/s` },
    { name: `${label}, first sync between two roots (verified, flushed)`, value: first.ms, unit: "ms", baselineName: "cp && sync FILE", baseline: cpSync },
    { name: `${label}, unchanged re-sync`, value: again.ms, unit: "ms", baselineName: "rsync -a (unchanged)", baseline: rsyncAgain, note: Number.isNaN(rsyncAgain) ? "rsync is not installed (apt-get install rsync): no baseline" : `${again.value.bytesSent} bytes sent` },
  ];
}

async function manySmallFiles(work: string, count: number): Promise<BenchRow[]> {
  const a = join(work, "small-a");
  const b = join(work, "small-b");
  const r = join(work, "small-rsync");
  const total = await smallFiles(join(a, "tree"), count);
  await mkdir(r, { recursive: true });
  const hasRsync = hasCommand("rsync");
  const note = hasRsync ? undefined : "rsync is not installed (apt-get install rsync): no baseline";
  const rsync = () => (hasRsync ? timeCommand("rsync", ["-a", `${join(a, "tree")}/`, `${join(r, "tree")}/`]) : Number.NaN);
  const rsyncFirst = rsync();
  const first = await timeIt(() => sync(localRoot(a), localRoot(b), "tree"));
  const rsyncAgain = rsync();
  const again = await timeIt(() => sync(localRoot(a), localRoot(b), "tree"));
  const label = `${count.toLocaleString("en")} files, ${(total / MiB).toFixed(0)} MiB`;
  return [
    { name: `${label}, first sync`, value: first.ms, unit: "ms", baselineName: "rsync -a", baseline: rsyncFirst, note: note ?? `${first.value.bytesSent} bytes sent` },
    { name: `${label}, unchanged re-sync`, value: again.ms, unit: "ms", baselineName: "rsync -a", baseline: rsyncAgain, note: note ?? `${again.value.bytesSent} bytes sent` },
  ];
}

/** Runs the storage benchmarks; every temp file is removed, even on failure. */
export async function benchStorage(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const run = options.tiny ? RUNS.tiny : RUNS.full;
  const work = await mkdtemp(join(tmpdir(), "lit-bench-storage-"));
  try {
    return [...(await oneLargeFile(work, run.largeBytes)), ...(await manySmallFiles(work, run.smallFiles))];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("storage (transfer engine between two roots on one disk)", await benchStorage());
}
