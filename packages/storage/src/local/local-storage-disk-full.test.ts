/**
 * LocalStorage on a disk that fills up: a real, small tmpfs mounted for the test (the tests run as
 * root; without the right to mount they are skipped, saying why). Each failure names the file,
 * the works and the storage folder, and leaves no partial file.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NoSpaceError } from "../errors.ts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LocalStorage } from "./local-storage.ts";

const MiB = 1024 * 1024;
let disk: string | undefined;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "lit-local-full-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=5m", "tmpfs", dir], { stdio: "pipe" });
    disk = dir;
  } catch (error) {
    const why = (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
    console.log(`skipping the full-disk tests: cannot mount a tmpfs here (${why})`);
    rmdirSync(dir);
  }
});

afterAll(() => {
  if (!disk) return;
  execFileSync("umount", [disk]);
  rmdirSync(disk);
});

beforeEach((ctx) => {
  if (!disk) return ctx.skip();
  for (const name of readdirSync(disk)) rmSync(join(disk, name), { recursive: true, force: true });
});

/** Files under the disk that a failed write could leave: temp files and partial blobs. */
function leftovers(): string[] {
  return readdirSync(disk!, { recursive: true, encoding: "utf8" }).filter((f) => /\.(partial|part|tmp|lit-tmp)$/.test(f));
}

async function failure(promise: Promise<unknown>): Promise<NoSpaceError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(NoSpaceError);
  return error as NoSpaceError;
}

describe("LocalStorage on a full disk", () => {
  const hint = (doing: string) =>
    `${doing}; the works' storage folder is ${disk}. Free space on its disk, or set LIT_STORAGE_DIR to a folder on a larger one.`;

  it("a Path copied to another work", async () => {
    const storage = new LocalStorage(disk!);
    writeFileSync(storage.localPath("root.writer", "weights.bin"), new Uint8Array(3 * MiB));
    const error = await failure(storage.materialize({ path: "weights.bin", origin: "root.writer" }, "root.reader"));
    expect(error.message).toBe(
      `[storage] [local] no space left on the disk: cannot write "weights.bin" (3.0 MB) in ${join(disk!, "root.reader")}. ` +
        `Nothing partial was kept. ${hint('root.reader was receiving the Path "weights.bin" from root.writer')}`,
    );
    expect(leftovers()).toEqual([]);
  });

  it("a Payload saved, and one copied to another work", async () => {
    const storage = new LocalStorage(disk!);
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
    const storage = new LocalStorage(disk!);
    writeFileSync(storage.localPath("root.writer", "data.bin"), new Uint8Array(3 * MiB));
    const error = await failure(storage.drivePut({ id: "shared", allowDuplicates: false }, "root.writer", "data.bin"));
    expect(error.message).toContain(`cannot write "data.bin" (3.0 MB) in ${join(disk!, ".drives", "shared")}.`);
    expect(error.message).toContain(hint('root.writer was putting "data.bin" in the Drive lit://shared'));
    expect(leftovers()).toEqual([]);
  });
});
