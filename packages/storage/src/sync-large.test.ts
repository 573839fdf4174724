import { randomBytes } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeTree, fileHash, runFixture, useTempDirs, writeBigFile, writeTree } from "./test-support/helpers.ts";
import { localRoot } from "./root.ts";
import { sync } from "./sync.ts";

const tempDir = useTempDirs();
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A sparse file of `size` bytes with random data at its start, middle and end. */
async function sparseFile(path: string, size: number): Promise<void> {
  const fh = await open(path, "w");
  try {
    await fh.truncate(size);
    for (const at of [0, Math.floor(size / 2), size - 4 * MiB]) await fh.write(randomBytes(4 * MiB), 0, 4 * MiB, at);
  } finally {
    await fh.close();
  }
}

function peakRss(lines: Record<string, unknown>[]): number {
  const line = lines.find((l) => "peakRss" in l);
  expect(line, JSON.stringify(lines)).toBeDefined();
  return line!.peakRss as number;
}

describe("large files and many files", () => {
  it("moves a 1 GiB file in constant memory", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await writeBigFile(join(a, "small.bin"), MiB);
    await sparseFile(join(a, "huge.bin"), GiB);
    const small = peakRss(await runFixture("node", ["sync", a, b, "small.bin"]));
    const huge = await runFixture("node", ["sync", a, b, "huge.bin"]);
    const report = huge.find((l) => "report" in l)!.report as { bytesSent: number };
    expect(report.bytesSent).toBe(GiB);
    // The file is 1024 MiB; the process grows by a few MiB of buffers at most.
    expect(peakRss(huge) - small).toBeLessThan(64 * MiB);
    expect((await stat(join(b, "huge.bin"))).size).toBe(GiB);
    expect(await fileHash(join(b, "huge.bin"))).toBe(await fileHash(join(a, "huge.bin")));
  });

  it("moves a 200 MiB file of varied bytes intact", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await writeBigFile(join(a, "ckpt/epoch-3.pt"), 200 * MiB + 7);
    const report = await sync(localRoot(a), localRoot(b), "ckpt");
    expect(report.bytesSent).toBe(200 * MiB + 7);
    expect(await fileHash(join(b, "ckpt/epoch-3.pt"))).toBe(await fileHash(join(a, "ckpt/epoch-3.pt")));
  });

  it("moves 2,000 small files in 20 folders, then re-syncs them sending nothing", async () => {
    const a = await tempDir();
    const b = await tempDir();
    const spec: Record<string, Uint8Array> = {};
    for (let i = 0; i < 2000; i++) spec[`many/d${i % 20}/f${i}.dat`] = randomBytes(100 + ((i * 7919) % 20_000));
    await writeTree(a, spec);
    const first = await sync(localRoot(a), localRoot(b), "many");
    expect(first.files).toBe(2000);
    expect(first.filesWritten).toBe(2000);
    expect(first.bytesSent).toBe(first.bytesTotal);
    expect(await describeTree(join(b, "many"))).toEqual(await describeTree(join(a, "many")));
    const again = await sync(localRoot(a), localRoot(b), "many");
    expect(again.bytesSent).toBe(0);
    expect(again.filesWritten).toBe(0);
  });
});
