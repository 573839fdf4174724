import { once } from "node:events";
import { createServer, Socket, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { coalesceWrites } from "./coalesce-writes.ts";

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

/** A TCP server on 127.0.0.1 that collects what it receives, and a coalescing socket connected to it. */
async function pair(): Promise<{ socket: Socket; received: () => Buffer; chunks: Buffer[] }> {
  const chunks: Buffer[] = [];
  const server = createServer((s) => s.on("data", (d: Buffer) => chunks.push(d)));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const socket = new Socket();
  socket.connect((server.address() as AddressInfo).port, "127.0.0.1");
  await once(socket, "connect");
  socket.setNoDelay(true);
  cleanup.push(() => (socket.destroy(), server.close()));
  return { socket: coalesceWrites(socket), received: () => Buffer.concat(chunks), chunks };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 500) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("coalesceWrites", () => {
  it("holds the writes of one turn and sends them together, in order, when the turn ends", async () => {
    const { socket, received } = await pair();
    const done: number[] = [];
    for (let i = 0; i < 3; i++) socket.write(Buffer.from(`packet ${i};`), () => done.push(i));
    expect(socket.writableCorked).toBe(1); // held for the rest of this turn
    await new Promise((resolve) => process.nextTick(resolve));
    expect(socket.writableCorked).toBe(0);
    await until(() => received().length === 27);
    expect(received().toString()).toBe("packet 0;packet 1;packet 2;");
    await until(() => done.length === 3);
    expect(done).toEqual([0, 1, 2]);
  });

  it("sends a write of a later turn without waiting for another", async () => {
    const { socket, received } = await pair();
    socket.write("first;");
    await until(() => received().length === 6);
    socket.write("second;");
    await until(() => received().length === 13);
    expect(received().toString()).toBe("first;second;");
  });
});
