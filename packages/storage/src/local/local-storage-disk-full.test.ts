/**
 * LocalStorage on a disk that fills up: a real, small tmpfs mounted for the test (the tests run as
 * root; without the right to mount they are skipped, saying why). Each failure names the file,
 * the works and the storage folder, and leaves no partial file.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NoSpaceError } from "../errors.ts";
import { describe, expect, it } from "vitest";
import { useSmallDisk } from "../test-support/small-disk.ts";
import { LocalStorage } from "./local-storage.ts";

const MiB = 1024 * 1024;
const disk = useSmallDisk("5m", "lit-local-full-disk-");

/** Files under the disk that a failed write could leave: temp files and partial blobs. */
function leftovers(): string[] {
  return readdirSync(disk.path, { recursive: true, encoding: "utf8" }).filter((f) => /\.(partial|part|tmp|lit-tmp)$/.test(f));
}

async function failure(promise: Promise<unknown>): Promise<NoSpaceError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(NoSpaceError);
  return error as NoSpaceError;
}

describe("LocalStorage on a full disk", () => {
  const hint = (doing: string) =>
    `${doing}; the works' storage folder is ${disk.path}. Free space on its disk, or set LIT_STORAGE_DIR to a folder on a larger one.`;

  it("a Path copied to another work", async () => {
    const storage = new LocalStorage(disk.path);
    writeFileSync(storage.localPath("root.writer", "weights.bin"), new Uint8Array(3 * MiB));
    const error = await failure(storage.materialize({ path: "weights.bin", origin: "root.writer" }, "root.reader"));
    expect(error.message).toBe(
      `[storage] [local] no space left on the disk: cannot write "weights.bin" (3.0 MB) in ${join(disk.path, "root.reader")}. ` +
        `Nothing partial was kept. ${hint('root.reader was receiving the Path "weights.bin" from root.writer')}`,
    );
    expect(leftovers()).toEqual([]);
  });

  it("a Payload saved, and one copied to another work", async () => {
    const storage = new LocalStorage(disk.path);
    expect(() => storage.savePayload("root.writer", new Uint8Array(6 * MiB))).toThrow(NoSpaceError);
    try {
      storage.savePayload("root.writer", new Uint8Array(6 * MiB));
    } catch (error) {
      expect((error as Error).message).toMatch(/cannot write "\.lit-payloads\/[0-9a-f]{64}" \(6\.0 MB\)/);
      expect((error as Error).message).toContain(hint("root.writer was saving a Payload"));
    }
    expect(leftovers()).toEqual([]);
    const hash = storage.savePayload("root.writer", new Uint8Array(3 * MiB).fill(1));
    const error = await failure(storage.loadPayload({ hash, origin: "root.writer" }, "root.reader"));
    expect(error.message).toContain(hint("root.reader was receiving a Payload from root.writer"));
    expect(leftovers()).toEqual([]);
  });

  it("a file put in a Drive", async () => {
    const storage = new LocalStorage(disk.path);
    writeFileSync(storage.localPath("root.writer", "data.bin"), new Uint8Array(3 * MiB));
    const error = await failure(storage.drivePut({ id: "shared", allowDuplicates: false }, "root.writer", "data.bin"));
    expect(error.message).toContain(`cannot write "data.bin" (3.0 MB) in ${join(disk.path, ".drives", "shared")}.`);
    expect(error.message).toContain(hint('root.writer was putting "data.bin" in the Drive lit://shared'));
    expect(leftovers()).toEqual([]);
  });
});
