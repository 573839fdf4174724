import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sync } from "../sync.ts";
import { cutProxy } from "../test-support/cut-proxy.ts";
import type { CutProxy } from "../test-support/cut-proxy.ts";
import { describeTree, fileHash, useTempDirs, writeBigFile, writeTree } from "../test-support/helpers.ts";
import { startServerProcess } from "../test-support/server-process.ts";
import type { ServerProcess } from "../test-support/server-process.ts";
import { httpRoot } from "./root.ts";

const tempDir = useTempDirs();
const MiB = 1024 * 1024;
const running: (ServerProcess | CutProxy)[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await ("stop" in r ? r.stop() : r.close());
});

/** Two agents' storage in two processes; this process only relays, through a proxy it can cut. */
async function twoHosts() {
  const aDir = await tempDir();
  const bDir = await tempDir();
  const a = await startServerProcess("node", aDir);
  const b = await startServerProcess("node", bDir);
  running.push(a, b);
  const toA = await cutProxy(Number(new URL(a.url).port));
  const toB = await cutProxy(Number(new URL(b.url).port));
  running.push(toA, toB);
  const via = (url: string, proxy: CutProxy) => url.replace(/:\d+\//, `:${proxy.port}/`);
  return {
    aDir,
    bDir,
    a: httpRoot({ url: via(a.url, toA), token: a.token, name: "host-a" }),
    b: httpRoot({ url: via(b.url, toB), token: b.token, name: "host-b" }),
    toA,
    toB,
  };
}

describe("sync from one agent to another", () => {
  it("streams only the missing blobs from A's answers into B's uploads, and resumes a blob whose connection dropped", async () => {
    const { aDir, bDir, a, b, toB } = await twoHosts();
    const size = 48 * MiB + 4321;
    await writeBigFile(join(aDir, "run/model.bin"), size);
    await writeTree(aDir, { "run/config.json": '{"lr":0.1}', "run/logs/train.log": "step 1\n" });
    const hash = await fileHash(join(aDir, "run/model.bin"));

    // The link to B drops 20 MiB into the upload.
    const cut = toB.cutAfter(20 * MiB);
    const err = await sync(a, b, "run", { concurrency: 1 }).catch((e: unknown) => e);
    await cut;
    expect(err).toMatchObject({ code: "E_HTTP" });
    expect((err as Error).message).toContain("[storage] [host-b]");
    const held = await b.store.partialSize(hash);
    expect(held).toBeGreaterThan(10 * MiB);
    expect(held).toBeLessThan(size);
    expect(await b.store.stat(hash)).toBeUndefined();

    const report = await sync(a, b, "run");
    expect(report.bytesResumed).toBe(held);
    expect(report.blobsSent).toBeGreaterThanOrEqual(1);
    expect(report.bytesSent).toBeLessThanOrEqual(size - held + 100);
    expect(await describeTree(join(bDir, "run"))).toEqual(await describeTree(join(aDir, "run")));
    expect(await b.store.partialSize(hash)).toBe(0);

    const again = await sync(a, b, "run");
    expect(again).toMatchObject({ bytesSent: 0, blobsSent: 0, filesWritten: 0 });
  });

  it("keeps what reached B when the link to A drops mid-blob, and the next sync sends only the rest", async () => {
    const { aDir, bDir, a, b, toA } = await twoHosts();
    const size = 40 * MiB + 99;
    await writeBigFile(join(aDir, "ckpt/weights.bin"), size);
    const hash = await fileHash(join(aDir, "ckpt/weights.bin"));
    await a.manifest("ckpt"); // hashed before the link is cut

    const cut = toA.cutAfter(16 * MiB, "down");
    const err = await sync(a, b, "ckpt").catch((e: unknown) => e);
    await cut;
    expect(err).toMatchObject({ code: "E_HTTP" });
    expect((err as Error).message).toContain("[storage] [host-a] GET /tree/content");
    expect((err as Error).message).toContain("the connection dropped after");
    const held = await b.store.partialSize(hash);
    expect(held).toBeGreaterThan(4 * MiB);
    expect(held).toBeLessThanOrEqual(16 * MiB);

    const report = await sync(a, b, "ckpt");
    expect(report.bytesResumed).toBe(held);
    expect(report.bytesSent).toBe(size - held);
    expect(await fileHash(join(bDir, "ckpt/weights.bin"))).toBe(hash);
  });
});
