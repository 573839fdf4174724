import { describe, expect, it } from "vitest";
import { useTempDirs } from "./test-support/helpers.ts";
import { getBytes, putBytes } from "./bytes.ts";
import { localDiskDriver } from "./drivers/local-disk.ts";
import { hashBytes } from "./hash.ts";

const tempDir = useTempDirs();

describe("putBytes / getBytes", () => {
  it("stores a small value under its hash and reads it back", async () => {
    const store = localDiskDriver(await tempDir());
    const value = new TextEncoder().encode(JSON.stringify({ accuracy: 0.93, labels: ["cat", "dog"] }));
    const hash = await putBytes(store, value);
    expect(hash).toBe(hashBytes(value));
    expect(JSON.parse(new TextDecoder().decode(await getBytes(store, hash)))).toEqual({ accuracy: 0.93, labels: ["cat", "dog"] });
  });
});
