import { spawnSync } from "node:child_process";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { httpRoot } from "../http/root.ts";
import { describeTree, useTempDirs, writeTree } from "../test-support/helpers.ts";
import { serveStorage } from "../test-support/storage-server.ts";
import type { StorageServer } from "../test-support/storage-server.ts";
import { syncFolder } from "./sync-folder.ts";

const tempDir = useTempDirs();
const servers: StorageServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe("syncFolder: an app's folder on another machine", () => {
  it("sends what the ignore files keep, as real files a command runs from, then only what changed", async () => {
    const app = await tempDir();
    await writeTree(app, {
      ".gitignore": "__pycache__/\n*.ckpt\nnode_modules\n",
      ".litignore": "data/raw/\n",
      "train.py": { content: "import csv\nrows = list(csv.reader(open('data/values.csv')))\nprint('rows', len(rows))\n", mode: 0o755 },
      "data/values.csv": "x,y\n1,2\n3,4\n",
      "data/raw/dump.bin": "not sent",
      "model.ckpt": "not sent",
      "__pycache__/train.cpython-311.pyc": "not sent",
      "node_modules/left-pad/index.js": "not sent",
      ".lit/storage/app/root.a/x": "not sent",
    });
    const remoteDir = await tempDir();
    const server = await serveStorage(remoteDir);
    servers.push(server);
    const remote = httpRoot({ url: server.url, token: server.token, name: "gpu-box" });

    const first = await syncFolder(app, remote, { target: "app", ignore: ["*.tmp"] });
    expect(first.files).toBe(4);
    const there = join(remoteDir, "app");
    expect(Object.keys(await describeTree(there)).sort()).toEqual([".gitignore", ".litignore", "data", "data/values.csv", "train.py"]);
    const run = spawnSync("python3", ["train.py"], { cwd: there, encoding: "utf8" });
    expect(run.stdout.trim()).toBe("rows 3");
    // Nothing of the sync's own bookkeeping lands in the tree here other than under .lit/.
    expect((await readdir(app)).sort()).toEqual([".gitignore", ".lit", ".litignore", "__pycache__", "data", "model.ckpt", "node_modules", "train.py"]);

    const unchanged = await syncFolder(app, remote, { target: "app" });
    expect(unchanged).toMatchObject({ bytesSent: 0, blobsSent: 0, filesWritten: 0 });

    await writeFile(join(app, "data/values.csv"), "x,y\n1,2\n3,4\n5,6\n");
    await writeFile(join(app, "notes.tmp"), "left out by the ignore option");
    const changed = await syncFolder(app, remote, { target: "app", ignore: ["*.tmp"] });
    expect(changed).toMatchObject({ blobsSent: 1, filesWritten: 1 });
    expect(spawnSync("python3", ["train.py"], { cwd: there, encoding: "utf8" }).stdout.trim()).toBe("rows 4");
    expect(Object.keys(await describeTree(there))).not.toContain("notes.tmp");
  });
});
