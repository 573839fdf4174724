/**
 * Live clients that stop reading: a raw TCP socket that asks for the
 * WebSocket or the server-sent events, reads the first bytes, then pauses, so
 * that everything the server sends queues up on the server's side.
 */
import { connect, type Socket } from "node:net";

/** What a slow client received once it read again. */
export interface SlowClientResult {
  /** Bytes received, headers included. */
  bytes: number;
  /** The `seq` of each patch message received, in order. */
  seqs: number[];
  /** How the stream ended: the connection closed, a WebSocket closing frame (with its code), or the end of the response. */
  end: "closed" | { closeCode: number } | "response ended";
}

/** A client that does not read until told to. */
export interface SlowClient {
  /** Resolves once the server answered and the client stopped reading. */
  readonly paused: Promise<void>;
  /** Reads again, until the stream ends or `ms` pass (then the end is "still open"). */
  resume(ms: number): Promise<SlowClientResult | { bytes: number; seqs: number[]; end: "still open" }>;
  destroy(): void;
}

/** Opens `/api/v1/ws` (`kind: "ws"`) or `/api/v1/events` (`"sse"`) on the server at `url`, then stops reading. */
export function slowClient(url: string, kind: "ws" | "sse"): SlowClient {
  const u = new URL(url);
  const socket: Socket = connect({ host: u.hostname, port: Number(u.port) });
  const chunks: Buffer[] = [];
  socket.on("error", () => {});
  socket.on("connect", () => {
    socket.write(
      kind === "ws"
        ? `GET /api/v1/ws HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`
        : `GET /api/v1/events HTTP/1.1\r\nHost: ${u.host}\r\nAccept: text/event-stream\r\n\r\n`,
    );
  });
  const paused = new Promise<void>((resolve) =>
    socket.once("data", (chunk: Buffer) => {
      chunks.push(chunk);
      socket.pause();
      resolve();
    }),
  );
  return {
    paused,
    resume(ms) {
      return new Promise((resolve) => {
        let done = false;
        const finish = (end: SlowClientResult["end"] | "still open") => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          const parsed = parse(Buffer.concat(chunks), kind);
          resolve({ bytes: chunks.reduce((n, c) => n + c.length, 0), seqs: parsed.seqs, end: parsed.end ?? end } as SlowClientResult);
        };
        const timer = setTimeout(() => finish("still open"), ms);
        socket.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          // a closing frame or the response's last chunk ends it even when the connection stays open
          const tail = chunk.subarray(-64).toString("latin1");
          if (kind === "sse" ? tail.endsWith("0\r\n\r\n") : chunk.includes(0x88)) {
            const parsed = parse(Buffer.concat(chunks), kind);
            if (parsed.end) finish(parsed.end);
          }
        });
        socket.on("close", () => finish("closed"));
        socket.resume();
      });
    },
    destroy: () => socket.destroy(),
  };
}

function parse(all: Buffer, kind: "ws" | "sse"): { seqs: number[]; end?: SlowClientResult["end"] } {
  const head = all.indexOf("\r\n\r\n");
  if (head === -1) return { seqs: [] };
  const body = all.subarray(head + 4);
  return kind === "ws" ? parseFrames(body) : parseChunked(body, /transfer-encoding:\s*chunked/i.test(all.subarray(0, head).toString("latin1")));
}

function seqOf(json: string): number | undefined {
  const m = /^\{"type":"patch","seq":(\d+)/.exec(json);
  return m ? Number(m[1]) : undefined;
}

/** Server-to-client WebSocket frames (unmasked); stops at an incomplete frame. */
function parseFrames(body: Buffer): { seqs: number[]; end?: { closeCode: number } } {
  const seqs: number[] = [];
  let at = 0;
  while (at + 2 <= body.length) {
    const opcode = body[at]! & 0x0f;
    let len = body[at + 1]! & 0x7f;
    let start = at + 2;
    if (len === 126) {
      if (start + 2 > body.length) break;
      len = body.readUInt16BE(start);
      start += 2;
    } else if (len === 127) {
      if (start + 8 > body.length) break;
      len = Number(body.readBigUInt64BE(start));
      start += 8;
    }
    if (start + len > body.length) break;
    const payload = body.subarray(start, start + len);
    if (opcode === 0x8) return { seqs, end: { closeCode: payload.length >= 2 ? payload.readUInt16BE(0) : 1005 } };
    if (opcode === 0x1) {
      const seq = seqOf(payload.toString("utf8"));
      if (seq !== undefined) seqs.push(seq);
    }
    at = start + len;
  }
  return { seqs };
}

/** `data:` lines of an event stream, chunked or not; "response ended" at the last chunk. */
function parseChunked(body: Buffer, chunked: boolean): { seqs: number[]; end?: "response ended" } {
  let text = "";
  let ended = false;
  if (!chunked) text = body.toString("utf8");
  else {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const eol = body.indexOf("\r\n", at);
      if (eol === -1) break;
      const size = parseInt(body.subarray(at, eol).toString("latin1"), 16);
      if (size === 0) {
        ended = true;
        break;
      }
      if (eol + 2 + size + 2 > body.length) break;
      parts.push(body.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
    text = Buffer.concat(parts).toString("utf8");
  }
  const seqs: number[] = [];
  const events = text.split("\n\n");
  events.pop(); // "" after the last whole event, or one still incomplete
  for (const event of events) {
    const seq = event.startsWith("data: ") ? seqOf(event.slice(6)) : undefined;
    if (seq !== undefined) seqs.push(seq);
  }
  return ended ? { seqs, end: "response ended" } : { seqs };
}
