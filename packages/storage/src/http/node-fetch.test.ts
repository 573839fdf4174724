import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { nodeFetch } from "./node-fetch.ts";
import { toWebStream } from "./web-streams.ts";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** An HTTP server on 127.0.0.1 that answers each request with how it was framed and how many bytes its body had. */
async function framingServer(): Promise<string> {
  const server = createServer((req: IncomingMessage, res) => {
    let bytes = 0;
    req.on("data", (d: Buffer) => (bytes += d.length));
    req.on("end", () => res.end(JSON.stringify({ length: req.headers["content-length"] ?? null, chunked: req.headers["transfer-encoding"] === "chunked", bytes })));
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/blob`;
}

async function* chunks(...sizes: number[]): AsyncGenerator<Uint8Array> {
  for (const n of sizes) yield new Uint8Array(n).fill(7);
}

const put = (url: string, body: AsyncIterable<Uint8Array>, bodyLength?: number) =>
  nodeFetch(url, { method: "PUT", body: toWebStream(body), duplex: "half", ...(bodyLength === undefined ? {} : { bodyLength }) } as RequestInit);

describe("nodeFetch: a streamed body of a known length", () => {
  it("is sent with its Content-Length, not in chunks", async () => {
    const url = await framingServer();
    const res = await put(url, chunks(40_000, 30_000, 1), 70_001);
    expect(await res.json()).toEqual({ length: "70001", chunked: false, bytes: 70_001 });
    // Without a length it is framed in chunks, as before.
    const chunked = await put(url, chunks(10, 20));
    expect(await chunked.json()).toEqual({ length: null, chunked: true, bytes: 30 });
  });

  it("fails the request when the body is longer or shorter than declared, and the next request on the connection is whole", async () => {
    const url = await framingServer();
    await expect(put(url, chunks(600, 600), 1000)).rejects.toThrow("longer than its declared 1000 bytes");
    await expect(put(url, chunks(600), 1000)).rejects.toThrow("ended after 600 of its declared 1000 bytes");
    const next = await put(url, chunks(5), 5);
    expect(await next.json()).toEqual({ length: "5", chunked: false, bytes: 5 });
  });
});
