import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileHash, startFixture, useTempDirs, writeBigFile } from "./test-support/helpers.ts";
import { TransferAbortedError } from "./errors.ts";
import { localRoot } from "./root.ts";
import { sync } from "./sync.ts";

const tempDir = useTempDirs();
const MiB = 1024 * 1024;

describe("interrupted transfers", () => {
  it("keeps what arrived when a sync is aborted, and the next sync sends only the rest", async () => {
    const a = await tempDir();
    const b = await tempDir();
    const size = 64 * MiB + 12345;
    await writeBigFile(join(a, "big/data.bin"), size);
    const controller = new AbortController();
    const err = await sync(localRoot(a), localRoot(b), "big", {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesSent >= 20 * MiB) controller.abort(new Error("user pressed stop"));
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransferAbortedError);
    expect((err as TransferAbortedError).code).toBe("E_ABORTED");
    expect((err as Error).message).toContain("sync again to resume");
    // Nothing half-written is visible in the tree.
    expect(await readdir(b)).toEqual([".lit-storage"]);

    const hash = await fileHash(join(a, "big/data.bin"));
    const held = await localRoot(b).store.partialSize(hash);
    expect(held).toBeGreaterThanOrEqual(18 * MiB);
    expect(held).toBeLessThan(size);

    const report = await sync(localRoot(a), localRoot(b), "big");
    expect(report.bytesResumed).toBe(held);
    expect(report.bytesSent).toBe(size - held);
    expect(await fileHash(join(b, "big/data.bin"))).toBe(hash);
    expect(await localRoot(b).store.partialSize(hash)).toBe(0);
  });

  it("resumes a transfer whose process was killed mid-way", async () => {
    const a = await tempDir();
    const b = await tempDir();
    const size = 256 * MiB;
    await writeBigFile(join(a, "model.bin"), size);
    const hash = await fileHash(join(a, "model.bin"));

    const child = startFixture("node", ["sync", a, b, "model.bin", "--pause-at", String(100 * MiB)]);
    const paused = await child.waitFor("paused");
    expect(paused.paused).toBeGreaterThanOrEqual(100 * MiB);
    child.kill("SIGKILL");
    expect((await child.exited).signal).toBe("SIGKILL");
    expect(await readdir(b)).toEqual([".lit-storage"]);

    const held = await localRoot(b).store.partialSize(hash);
    expect(held).toBeGreaterThanOrEqual(90 * MiB);
    expect(held).toBeLessThan(size);

    const report = await sync(localRoot(a), localRoot(b), "model.bin");
    expect(report.bytesResumed).toBe(held);
    expect(report.bytesSent).toBe(size - held);
    expect(await fileHash(join(b, "model.bin"))).toBe(hash);
  });
});
