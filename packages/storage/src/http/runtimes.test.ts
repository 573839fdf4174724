import { spawnSync } from "node:child_process";
import { utimes } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { localRoot } from "../root.ts";
import { sync } from "../sync.ts";
import { cutProxy } from "../test-support/cut-proxy.ts";
import type { CutProxy } from "../test-support/cut-proxy.ts";
import { describeTree, fileHash, packageDir, runtimeCommand, useTempDirs, writeBigFile, writeTree } from "../test-support/helpers.ts";
import { startServerProcess } from "../test-support/server-process.ts";
import type { ServerProcess } from "../test-support/server-process.ts";
import { httpRoot } from "./root.ts";

const tempDir = useTempDirs();
const MiB = 1024 * 1024;
const old = new Date("2020-01-02T03:04:05.006Z");
const running: (ServerProcess | CutProxy)[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await ("stop" in r ? r.stop() : r.close());
});

/** The storage routes served by each runtime (the agent runs on Bun or Node; Deno for the library). */
describe.each(["node", "bun", "deno"] as const)("storage routes under %s", (runtime) => {
  it("take a folder, keep a cut upload and resume it, and give the folder back", async () => {
    const a = await tempDir();
    const remoteDir = await tempDir();
    await writeBigFile(join(a, "job/weights.bin"), 6 * MiB + 7);
    await writeTree(a, { "job/run.sh": { content: "#!/bin/sh\necho ok\n", mode: 0o750, mtime: old } });
    // Whole milliseconds: Deno rounds the sub-millisecond part of the times it sets.
    await utimes(join(a, "job/weights.bin"), old, old);
    const server = await startServerProcess(runtime, remoteDir);
    running.push(server);
    expect(server.runtime).toBe(runtime);
    const proxy = await cutProxy(Number(new URL(server.url).port));
    running.push(proxy);
    const remote = httpRoot({ url: server.url.replace(/:\d+\//, `:${proxy.port}/`), token: server.token });

    const cut = proxy.cutAfter(3 * MiB);
    await expect(sync(localRoot(a), remote, "job", { concurrency: 1 })).rejects.toMatchObject({ code: "E_HTTP" });
    await cut;
    const held = await remote.store.partialSize(await fileHash(join(a, "job/weights.bin")));
    expect(held).toBeGreaterThan(0);
    const report = await sync(localRoot(a), remote, "job");
    expect(report.bytesResumed).toBe(held);
    expect(await describeTree(join(remoteDir, "job"))).toEqual(await describeTree(join(a, "job")));

    const back = await tempDir();
    await sync(remote, localRoot(back), "job");
    expect(await describeTree(join(back, "job"))).toEqual(await describeTree(join(a, "job")));
  });
});

/** syncFolder and httpRoot as the client, run by each runtime against a server on Node. */
describe.each(["node", "bun", "deno"] as const)("syncFolder under %s", (runtime) => {
  it("sends a folder as its ignore files say, then nothing when it is unchanged", async () => {
    const app = await tempDir();
    await writeTree(app, {
      ".gitignore": "*.ckpt\n",
      "train.py": { content: "print('ok')\n", mode: 0o755, mtime: old },
      "data/values.csv": { content: "x,y\n".repeat(1000), mtime: old },
      "last.ckpt": "left out",
    });
    await utimes(join(app, ".gitignore"), old, old);
    const remoteDir = await tempDir();
    const server = await startServerProcess("node", remoteDir);
    running.push(server);
    const run = async () => {
      const [cmd, args] = runtimeCommand(runtime, join(packageDir, "test", "fixtures", "folder-client.ts"));
      const out = spawnSync(cmd, [...args, app, server.url, server.token, "app"], { cwd: packageDir, encoding: "utf8" });
      const line = JSON.parse(out.stdout.trim().split("\n").at(-1) ?? "{}") as { report?: Record<string, number>; runtime?: string };
      expect(line.runtime, out.stderr + out.stdout).toBe(runtime);
      return line.report!;
    };
    expect(await run()).toMatchObject({ files: 3, filesWritten: 3 });
    expect(Object.keys(await describeTree(join(remoteDir, "app"))).sort()).toEqual([".gitignore", "data", "data/values.csv", "train.py"]);
    expect(await run()).toMatchObject({ bytesSent: 0, filesWritten: 0 });
  });
});
