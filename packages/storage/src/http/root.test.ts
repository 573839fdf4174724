import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { localRoot } from "../root.ts";
import { sync } from "../sync.ts";
import { describeTree, useTempDirs, writeTree } from "../test-support/helpers.ts";
import { serveStorage } from "../test-support/storage-server.ts";
import type { StorageServer } from "../test-support/storage-server.ts";
import { httpRoot } from "./root.ts";

const tempDir = useTempDirs();
const servers: StorageServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
const old = new Date("2021-05-06T07:08:09.010Z");

async function remote() {
  const dir = await tempDir();
  const server = await serveStorage(dir);
  servers.push(server);
  return { dir, root: httpRoot({ url: server.url, token: server.token }) };
}

describe("httpRoot: a storage root on another machine for sync", () => {
  it("syncs a folder there as real files, re-syncs it sending nothing, and syncs it back", async () => {
    const a = await tempDir();
    await writeTree(a, {
      "app/train.py": { content: "print('ok')\n", mode: 0o755, mtime: old },
      "app/data/values.csv": { content: "x,y\n1,2\n".repeat(20_000), mtime: old },
      "app/data/copy.csv": { content: "x,y\n1,2\n".repeat(20_000), mtime: old },
      "app/latest": { link: "data/values.csv" },
    });
    const b = await remote();
    const first = await sync(localRoot(a), b.root, "app");
    expect(first).toMatchObject({ files: 3, dirs: 2, symlinks: 1, blobsSent: 2, filesWritten: 3 });
    expect(await describeTree(join(b.dir, "app"))).toEqual(await describeTree(join(a, "app")));

    const again = await sync(localRoot(a), b.root, "app");
    expect(again).toMatchObject({ bytesSent: 0, blobsSent: 0, filesWritten: 0 });

    await writeFile(join(a, "app/train.py"), "print('changed')\n");
    const changed = await sync(localRoot(a), b.root, "app");
    expect(changed).toMatchObject({ blobsSent: 1, filesWritten: 1, bytesSent: "print('changed')\n".length });

    const c = await tempDir();
    await sync(b.root, localRoot(c), "app", { target: "back" });
    expect(await describeTree(join(c, "back"))).toEqual(await describeTree(join(a, "app")));
  });

  it("sends content the other side thought it had when it turns out to be gone", async () => {
    const a = await tempDir();
    await writeTree(a, { "one/w.bin": "weights v1", "two/w.bin": "weights v1" });
    const b = await remote();
    await sync(localRoot(a), b.root, "one");
    // Changed there behind the index's back: the index still lists the old content.
    await writeFile(join(b.dir, "one/w.bin"), "something else");
    const report = await sync(localRoot(a), b.root, "two");
    expect(report.filesWritten).toBe(1);
    expect(await describeTree(join(b.dir, "two"))).toEqual(await describeTree(join(a, "two")));
  });

  it("names a path missing on the other side", async () => {
    const b = await remote();
    const err = await sync(b.root, localRoot(await tempDir()), "nope").catch((e: Error) => e);
    expect(err).toMatchObject({ code: "E_PATH_NOT_FOUND" });
    expect((err as Error).message).toContain('"nope"');
  });
});
