import { closeSync, openSync, truncateSync, writeSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileHash, useTempDirs, writeBigFile, writeTree } from "./test-support/helpers.ts";
import type { Driver } from "./driver.ts";
import { CorruptionError } from "./errors.ts";
import { localRoot } from "./root.ts";
import type { StorageRoot } from "./root.ts";
import { sync } from "./sync.ts";

const tempDir = useTempDirs();
const MiB = 1024 * 1024;

/** The receiving root seen through a link that flips one bit of every blob it carries. */
function throughFlakyLink(root: StorageRoot, flipAt: number): StorageRoot {
  async function* flip(body: AsyncIterable<Uint8Array>, offset: number) {
    let at = offset;
    for await (const chunk of body) {
      if (flipAt >= at && flipAt < at + chunk.byteLength) {
        const copy = Buffer.from(chunk);
        copy[flipAt - at] = copy[flipAt - at]! ^ 0x01;
        yield copy;
      } else yield chunk;
      at += chunk.byteLength;
    }
  }
  const store: Driver = Object.create(root.store) as Driver;
  Object.assign(store, {
    write: (hash: string, body: AsyncIterable<Uint8Array>, options?: { offset?: number }) =>
      root.store.write(hash, flip(body, options?.offset ?? 0), options),
  });
  return Object.assign(Object.create(root) as StorageRoot, { store });
}

async function expectNothingArrived(b: string, hash: string) {
  expect(await readdir(b)).toEqual([".lit-storage"]);
  expect(await localRoot(b).store.stat(hash)).toBeUndefined();
  expect(await localRoot(b).store.partialSize(hash)).toBe(0);
}

describe("corruption", () => {
  it("is detected in transit and reported with the files' names", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await writeTree(a, { "set/one.bin": "same".repeat(100_000), "set/copy/two.bin": "same".repeat(100_000) });
    const hash = await fileHash(join(a, "set/one.bin"));
    const err = await sync(localRoot(a), throughFlakyLink(localRoot(b), 123_456), "set").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptionError);
    expect((err as CorruptionError).code).toBe("E_CORRUPT");
    expect((err as CorruptionError).files).toEqual(["set/copy/two.bin", "set/one.bin"]);
    expect((err as Error).message).toContain('"set/copy/two.bin", "set/one.bin"');
    expect((err as Error).message).toContain("checksum mismatch");
    await expectNothingArrived(b, hash);
  });

  it("is detected when a file changes while it is sent, and no half file appears", async () => {
    const a = await tempDir();
    const b = await tempDir();
    const size = 32 * MiB;
    await writeBigFile(join(a, "big/data.bin"), size);
    const hash = await fileHash(join(a, "big/data.bin"));
    let edited = false;
    const err = await sync(localRoot(a), localRoot(b), "big", {
      onProgress: (p) => {
        if (edited || p.bytesSent < 8 * MiB) return;
        edited = true; // another program writes near the end of the file, ahead of the reader
        const fd = openSync(join(a, "big/data.bin"), "r+");
        writeSync(fd, Buffer.from("edited"), 0, 6, size - 100);
        closeSync(fd);
      },
    }).catch((e: unknown) => e);
    expect(edited).toBe(true);
    expect(err).toBeInstanceOf(CorruptionError);
    expect((err as Error).message).toContain('"big/data.bin"');
    await expectNothingArrived(b, hash);
  });

  it("is detected when a file is cut short while it is sent", async () => {
    const a = await tempDir();
    const b = await tempDir();
    const size = 16 * MiB;
    await writeBigFile(join(a, "log.bin"), size);
    const hash = await fileHash(join(a, "log.bin"));
    let cut = false;
    const err = await sync(localRoot(a), localRoot(b), "log.bin", {
      onProgress: (p) => {
        if (cut || p.bytesSent < 4 * MiB) return;
        cut = true; // another program truncates the file under the reader
        truncateSync(join(a, "log.bin"), 6 * MiB);
      },
    }).catch((e: unknown) => e);
    expect(cut).toBe(true);
    expect(err).toBeInstanceOf(CorruptionError);
    expect((err as Error).message).toContain('"log.bin"');
    expect((err as Error).message).toContain(`where ${size} were announced`);
    await expectNothingArrived(b, hash);
  });
});
