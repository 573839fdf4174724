/**
 * Syncing into a disk that fills up: a real, small tmpfs mounted for the test
 * (the tests run as root; without the right to mount they are skipped, saying why).
 */
import { execFileSync } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileHash, useTempDirs, writeBigFile, writeTree } from "./test-support/helpers.ts";
import { useSmallDisk } from "./test-support/small-disk.ts";
import { NoSpaceError } from "./errors.ts";
import { localRoot } from "./root.ts";
import { sync } from "./sync.ts";

const tempDir = useTempDirs();
const MiB = 1024 * 1024;

const disk = useSmallDisk("4m");

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

/** Files a failed write could leave behind: partial blobs and temp files. */
const LEFTOVER = /\.(partial|part|tmp|lit-tmp)$/;

async function failure(promise: Promise<unknown>): Promise<NoSpaceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NoSpaceError);
  return error as NoSpaceError;
}

describe("sync into a full disk", () => {
  it("a file larger than the space left fails naming the file and the folder, and keeps no partial", async () => {
    const from = await tempDir();
    await writeBigFile(join(from, "weights.bin"), 6 * MiB);
    const into = join(disk.path, "reader");

    const error = await failure(sync(localRoot(from), localRoot(into), "weights.bin"));
    expect(error.code).toBe("E_NO_SPACE");
    expect(error.path).toBe("weights.bin");
    expect(error.location).toBe(into);
    expect(error.message).toBe(
      `[storage] [sync] no space left on the disk: cannot write "weights.bin" (6.0 MB) in ${into}. ` +
        "Nothing partial was kept. Free space on that disk, then sync again.",
    );
    expect((await filesUnder(into)).filter((f) => LEFTOVER.test(f))).toEqual([]);
    expect(await filesUnder(into)).not.toContain("weights.bin");
    // The space the write took is free again.
    expect((await stat(into)).isDirectory()).toBe(true);
    expect(Number(execFileSync("df", ["--output=used", "-B1", disk.path]).toString().split("\n")[1])).toBeLessThan(MiB);

    // With room made, the same sync goes through.
    disk.resize("16m");
    const report = await sync(localRoot(from), localRoot(into), "weights.bin");
    expect(report.bytesResumed).toBe(0);
    expect(await fileHash(join(into, "weights.bin"))).toBe(await fileHash(join(from, "weights.bin")));
  });

  it("a folder whose files arrive at once: the file that hits the limit is named, and no file of it is left partial", async () => {
    const from = await tempDir();
    for (const name of ["a", "b", "c", "d"]) await writeBigFile(join(from, `ckpt/${name}.bin`), 1.5 * MiB + name.charCodeAt(0));
    const into = join(disk.path, "reader");

    const error = await failure(sync(localRoot(from), localRoot(into), "ckpt", { concurrency: 4 }));
    expect(error.path).toMatch(/^ckpt\/[abcd]\.bin$/);
    expect(error.message).toContain(`cannot write "${error.path}"`);
    expect(error.message).toContain(` in ${into}.`);
    expect((await filesUnder(into)).filter((f) => LEFTOVER.test(f))).toEqual([]);
  });

  it("the disk fills while the tree is written (copies of one content): that file is named, no temp file is left", async () => {
    const from = await tempDir();
    const bytes = new Uint8Array(1.5 * MiB).fill(9);
    await writeTree(from, { "copies/1.bin": bytes, "copies/2.bin": bytes, "copies/3.bin": bytes });
    const into = join(disk.path, "reader");

    const error = await failure(sync(localRoot(from), localRoot(into), "copies"));
    expect(error.message).toMatch(/^\[storage\] \[apply\] no space left on the disk: cannot write "copies\/[123]\.bin" \(1\.5 MB\) in /);
    expect((await filesUnder(into)).filter((f) => LEFTOVER.test(f) || f.includes(".lit-tmp"))).toEqual([]);
  });

  it("between two roots on the same full disk (as works on one machine): the copy fails, the source is untouched", async () => {
    const a = join(disk.path, "writer");
    const b = join(disk.path, "reader");
    await writeBigFile(join(a, "data.bin"), 2.5 * MiB);
    const before = await fileHash(join(a, "data.bin"));

    const error = await failure(sync(localRoot(a), localRoot(b), "data.bin"));
    expect(error.location).toBe(b);
    expect(await fileHash(join(a, "data.bin"))).toBe(before);
    expect((await filesUnder(disk.path)).filter((f) => LEFTOVER.test(f))).toEqual([]);
  });
});
