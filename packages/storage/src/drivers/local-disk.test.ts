import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashBytes } from "../hash.ts";
import { chunked, testDriver } from "../testing/index.ts";
import { localDiskDriver } from "./local-disk.ts";

testDriver("local", async () => {
  const dir = await mkdtemp(join(tmpdir(), "lit-store-"));
  return { driver: localDiskDriver(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe("localDiskDriver", () => {
  it("keeps blobs read-only under blobs/<2 hex>/<hash>", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lit-store-"));
    try {
      const store = localDiskDriver(dir);
      const bytes = Buffer.from("hello blobs");
      const hash = hashBytes(bytes);
      await store.write(hash, chunked(bytes));
      expect(store.blobPath(hash)).toBe(join(dir, "blobs", hash.slice(0, 2), hash));
      expect((await stat(store.blobPath(hash))).mode & 0o777).toBe(0o444);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
