import { connect } from "node:net";
import { join } from "node:path";
import { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { sync } from "../sync.ts";
import { cutProxy } from "../test-support/cut-proxy.ts";
import type { CutProxy } from "../test-support/cut-proxy.ts";
import { describeTree, fileHash, useTempDirs, writeBigFile, writeTree } from "../test-support/helpers.ts";
import { startServerProcess } from "../test-support/server-process.ts";
import type { ServerProcess } from "../test-support/server-process.ts";
import { nodeFetchOver } from "./node-fetch.ts";
import { httpRoot } from "./root.ts";

const tempDir = useTempDirs();
const MiB = 1024 * 1024;
const running: (ServerProcess | CutProxy)[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await ("stop" in r ? r.stop() : r.close());
});

/**
 * Streams to `port` that are plain duplex streams (as an SSH channel is: no
 * socket methods), counting those opened and those still open.
 */
function channels(port: number) {
  const open = new Set<Duplex>();
  let opened = 0;
  const connectTo = async (): Promise<Duplex> => {
    const socket = connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const stream = Duplex.from({ readable: socket, writable: socket });
    stream.on("close", () => {
      open.delete(stream);
      socket.destroy();
    });
    socket.on("close", () => stream.destroy());
    opened++;
    open.add(stream);
    return stream;
  };
  return { connect: connectTo, opened: () => opened, open: () => open.size };
}

describe("nodeFetchOver: the storage routes through streams a caller opens", () => {
  it("syncs a large file between two agents over such streams, reusing them, and closes them once idle", async () => {
    const aDir = await tempDir();
    const bDir = await tempDir();
    const a = await startServerProcess("node", aDir);
    const b = await startServerProcess("node", bDir);
    running.push(a, b);
    const toA = channels(Number(new URL(a.url).port));
    const toB = channels(Number(new URL(b.url).port));
    const rootA = httpRoot({ url: a.url, token: a.token, name: "host-a", fetch: nodeFetchOver(toA.connect) });
    const rootB = httpRoot({ url: b.url, token: b.token, name: "host-b", fetch: nodeFetchOver(toB.connect) });
    await writeBigFile(join(aDir, "run/model.bin"), 24 * MiB + 17);
    await writeTree(aDir, { "run/config.json": '{"lr":0.1}' });

    const report = await sync(rootA, rootB, "run");
    expect(report.bytesSent).toBe(24 * MiB + 17 + 10);
    expect(await describeTree(join(bDir, "run"))).toEqual(await describeTree(join(aDir, "run")));
    expect(await fileHash(join(bDir, "run/model.bin"))).toBe(await fileHash(join(aDir, "run/model.bin")));

    // Unchanged: nothing sent, over the connections kept from the first sync.
    const [beforeA, beforeB] = [toA.opened(), toB.opened()];
    expect(await sync(rootA, rootB, "run")).toMatchObject({ bytesSent: 0, filesWritten: 0 });
    expect([toA.opened(), toB.opened()]).toEqual([beforeA, beforeB]);

    await new Promise((r) => setTimeout(r, 2500));
    expect([toA.open(), toB.open()]).toEqual([0, 0]);
  });

  it("reports a stream that cannot be opened as the request's failure, naming the agent", async () => {
    const root = httpRoot({
      url: "http://127.0.0.1:9/storage",
      name: "host-c",
      fetch: nodeFetchOver(() => Promise.reject(new Error("the SSH forward to port 9 was refused"))),
    });
    const err = await root.manifest("run").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "E_HTTP" });
    expect((err as Error).message).toContain("[storage] [host-c]");
    expect((err as Error).message).toContain("the SSH forward to port 9 was refused");
  });
});
