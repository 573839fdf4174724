/**
 * A folder pushed to an agent whose disk fills up: a real, small tmpfs
 * mounted for the test (the tests run as root; without the right to mount
 * they are skipped, saying why).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NoSpaceError } from "../errors.ts";
import { httpRoot } from "../http/root.ts";
import { META_DIR } from "../safe-path.ts";
import { useTempDirs } from "../test-support/helpers.ts";
import { useSmallDisk } from "../test-support/small-disk.ts";
import { serveStorage } from "../test-support/storage-server.ts";
import type { StorageServer } from "../test-support/storage-server.ts";
import { syncFolder } from "./sync-folder.ts";

const tempDir = useTempDirs();
const disk = useSmallDisk("2m");
const servers: StorageServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe("pushFolder into a full disk", () => {
  it("fails saying the disk is full, with nothing of the folder in place and nothing staged", async () => {
    const app = await tempDir();
    await mkdir(join(app, "data"));
    for (let i = 0; i < 40; i++) await writeFile(join(app, "data", `f${i}.bin`), randomBytes(100 * 1024));
    const server = await serveStorage(disk.path);
    servers.push(server);
    const error = await syncFolder(app, httpRoot({ url: server.url, token: server.token, name: "gpu-box" }), { target: "app" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NoSpaceError);
    expect((error as Error).message).toMatch(/no space|full/i);
    expect((await readdir(disk.path)).filter((n) => n !== META_DIR)).toEqual([]);
    expect(await readdir(join(disk.path, META_DIR, "staging"))).toEqual([]);
  });
});
