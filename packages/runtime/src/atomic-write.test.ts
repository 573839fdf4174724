import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicSync } from "./index.ts";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "lit-atomic-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    await chmod(dir, 0o755).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

const root = process.getuid?.() === 0;

describe.each([
  ["writeFileAtomic", writeFileAtomic],
  ["writeFileAtomicSync", async (...args: Parameters<typeof writeFileAtomicSync>) => writeFileAtomicSync(...args)],
] as const)("%s", (_name, write) => {
  it("writes a new file, then replaces it whole, leaving no temp file", async () => {
    const dir = await tempDir();
    const file = join(dir, "state.json");
    await write(file, '{"a":1}');
    expect(await readFile(file, "utf8")).toBe('{"a":1}');
    await write(file, new Uint8Array([104, 105]));
    expect(await readFile(file, "utf8")).toBe("hi");
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("gives the file the mode asked for (0600 for a secret), 0644 by default", async () => {
    const dir = await tempDir();
    await write(join(dir, "secret"), "token", { mode: 0o600 });
    await write(join(dir, "plain"), "text");
    expect((await stat(join(dir, "secret"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "plain"))).mode & 0o777 & ~process.umask()).toBe(0o644 & ~process.umask());
  });

  it("fails with the file system's own error when the folder is missing, writing nothing", async () => {
    const dir = await tempDir();
    await expect(write(join(dir, "missing", "f.txt"), "x")).rejects.toMatchObject({ code: "ENOENT" });
    expect(await readdir(dir)).toEqual([]);
  });

  it("keeps the old file and leaves no temp file when the rename fails", async () => {
    const dir = await tempDir();
    // A folder where the file should be: the temp file is written, the rename over a folder fails.
    await mkdir(join(dir, "taken"));
    await writeFile(join(dir, "taken", "inside"), "old");
    await expect(write(join(dir, "taken"), "new")).rejects.toMatchObject({ code: expect.stringMatching(/^E(ISDIR|NOTEMPTY|EXIST)$/) });
    expect(await readdir(dir)).toEqual(["taken"]);
    expect(await readFile(join(dir, "taken", "inside"), "utf8")).toBe("old");
  });

  it.skipIf(root)("fails with EACCES in a read-only folder, the old file untouched", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "f.txt"), "old");
    await chmod(dir, 0o555);
    await expect(write(join(dir, "f.txt"), "new")).rejects.toMatchObject({ code: "EACCES" });
    expect(await readFile(join(dir, "f.txt"), "utf8")).toBe("old");
  });
});
