import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeTree, fileHash, runFixture, useTempDirs, writeBigFile, writeTree } from "./test-support/helpers.ts";
import { localDiskDriver } from "./drivers/local-disk.ts";
import { localRoot } from "./root.ts";
import { sync } from "./sync.ts";

const tempDir = useTempDirs();
const MiB = 1024 * 1024;

describe("concurrent writers", () => {
  it("three syncs of the same folder into the same root at once all succeed", async () => {
    const a = await tempDir();
    const b = await tempDir();
    const spec: Record<string, string> = {};
    for (let i = 0; i < 40; i++) spec[`shared/f${i}.txt`] = `file ${i} `.repeat(2000 + i * 100);
    await writeTree(a, spec);
    await writeBigFile(join(a, "shared/big.bin"), 24 * MiB);
    const reports = await Promise.all([1, 2, 3].map(() => sync(localRoot(a), localRoot(b), "shared")));
    for (const r of reports) expect(r.files).toBe(41);
    expect(await describeTree(join(b, "shared"))).toEqual(await describeTree(join(a, "shared")));
    expect(await readdir(join(b, ".lit-storage/tmp"))).toEqual([]);
  });

  it("two processes writing the same blob at once both succeed, and the blob is whole", async () => {
    const src = await tempDir();
    const store = await tempDir();
    await writeBigFile(join(src, "blob.bin"), 48 * MiB);
    const hash = await fileHash(join(src, "blob.bin"));
    const [one, two] = await Promise.all([
      runFixture("node", ["put", store, join(src, "blob.bin")]),
      runFixture("node", ["put", store, join(src, "blob.bin")]),
    ]);
    for (const lines of [one!, two!]) expect(lines.find((l) => "blob" in l)?.blob).toEqual({ hash, size: 48 * MiB });
    const driver = localDiskDriver(store);
    expect(await fileHash(driver.blobPath(hash))).toBe(hash);
    expect(await readdir(join(store, "tmp"))).toEqual([]);
  });

  it("two processes syncing the same file into the same root at once both succeed", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await writeBigFile(join(a, "data.bin"), 64 * MiB);
    const results = await Promise.all([
      runFixture("node", ["sync", a, b, "data.bin"]),
      runFixture("node", ["sync", a, b, "data.bin"]),
    ]);
    for (const lines of results) expect(lines.find((l) => "report" in l)).toBeDefined();
    expect(await fileHash(join(b, "data.bin"))).toBe(await fileHash(join(a, "data.bin")));
  });
});
