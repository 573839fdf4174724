/**
 * The controller's channel socket over a stream without a writev of its own
 * (an ssh2 forward): a frame's header and payload, written by `ws` between
 * cork() and uncork(), reach the stream as one write (one SSH packet).
 */
import { Duplex } from "node:stream";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { openChannelSocket, writeCorkedAsOne } from "./channel-socket.ts";

/** A duplex over a TCP socket that, like an ssh2 channel, has no writev: it records each write it is given. */
function recordingStream(socket: Socket): { stream: Duplex; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const stream = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      writes.push(Buffer.from(chunk));
      socket.write(chunk, callback);
    },
    read() {},
  });
  socket.on("data", (data) => stream.push(data));
  socket.on("end", () => stream.push(null));
  socket.on("close", () => stream.destroy());
  stream.on("close", () => socket.destroy());
  return { stream, writes };
}

describe("writeCorkedAsOne", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it("sends what was written while corked as one write, in order", async () => {
    const got: Buffer[] = [];
    const stream = new Duplex({
      write(chunk: Buffer, _encoding, callback) {
        got.push(chunk);
        callback();
      },
      read() {},
    });
    writeCorkedAsOne(stream);
    stream.cork();
    stream.write(Buffer.from("head"));
    stream.write("body");
    stream.uncork();
    stream.write(Buffer.from("alone"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(got.map((b) => b.toString())).toEqual(["headbody", "alone"]);
  });

  it("a text frame from the controller leaves in one write of the stream, and messages flow both ways", async () => {
    const received: string[] = [];
    let authorization: string | undefined;
    server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on("connection", (ws, req) => {
      authorization = req.headers.authorization;
      ws.on("message", (data) => {
        received.push(data.toString());
        ws.send(`echo ${data.toString()}`);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const tcp = connect(port, "127.0.0.1");
    await new Promise((resolve) => tcp.once("connect", resolve));
    const { stream, writes } = recordingStream(tcp);
    const echoes: string[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const socket = await openChannelSocket({ url: `ws://127.0.0.1:${port}/v1/channel`, stream }, "t0ken", 1 << 20, {
      onOpen: () => opened(),
      onMessage: (text) => echoes.push(text),
      onClose: () => undefined,
    });
    await open;
    expect(authorization).toBe("Bearer t0ken");
    const before = writes.length;
    const message = JSON.stringify({ type: "ping", id: 7, pad: "x".repeat(300) });
    socket.send(message);
    const deadline = Date.now() + 5000;
    while (echoes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(received).toEqual([message]);
    expect(echoes).toEqual([`echo ${message}`]);
    // One write: the frame's 8-byte masked header (a 303-byte payload takes a 16-bit length) and its payload together.
    expect(writes.slice(before).map((w) => w.length)).toEqual([8 + Buffer.byteLength(message)]);
    socket.terminate();
  });
});
