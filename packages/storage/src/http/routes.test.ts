import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { hashBytes } from "../hash.ts";
import { collect } from "../streams.ts";
import { useTempDirs, writeTree } from "../test-support/helpers.ts";
import { serveStorage } from "../test-support/storage-server.ts";
import type { StorageServer } from "../test-support/storage-server.ts";
import { httpDriver } from "./driver.ts";
import { httpRoot } from "./root.ts";
import type { StorageLimits } from "./wire.ts";

const tempDir = useTempDirs();
const servers: StorageServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function start(limits?: Partial<StorageLimits>) {
  const dir = await tempDir();
  const server = await serveStorage(dir, { limits });
  servers.push(server);
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${server.token}`, ...init.headers } });
  return { dir, server, call };
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, code: body.error.code, message: body.error.message };
}

describe("storage routes", () => {
  it("answer 401 in JSON without the bearer token or with a wrong one, and the driver says the token was refused", async () => {
    const { server } = await start();
    const hash = hashBytes("x");
    for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: server.token }] as Record<string, string>[]) {
      const res = await fetch(`${server.url}/blobs/${hash}`, { headers });
      expect(await errorOf(res)).toMatchObject({ status: 401, code: "E_HTTP" });
    }
    const err = await httpDriver({ url: server.url, token: "wrong-token-wrong-token" }).missing([hash]).catch((e: Error) => e);
    expect(err).toMatchObject({ code: "E_HTTP", status: 401 });
    expect((err as Error).message).toContain("token was refused");
  });

  it("refuse names that climb out of the root or are absolute, and malformed hashes, before touching a file", async () => {
    const { dir, call } = await start();
    await writeTree(dir, { "inside.txt": "ok" });
    for (const path of ["../", "..", "a/../../etc", "/etc", "C:/x", "a//b", ".lit-storage/index.json"]) {
      const res = await call(`/tree/manifest?path=${encodeURIComponent(path)}`);
      expect(await errorOf(res), path).toMatchObject({ status: 400, code: "E_UNSAFE_PATH" });
    }
    const put = await call("/tree/manifest?target=..%2Fout", { method: "PUT", body: JSON.stringify({ version: 1, entries: [] }) });
    expect(await errorOf(put)).toMatchObject({ status: 400, code: "E_UNSAFE_PATH" });
    const evil = {
      version: 1,
      entries: [
        { type: "dir", path: "", mode: 0o755, mtimeMs: 0 },
        { type: "file", path: "../evil", size: 1, mode: 0o644, mtimeMs: 0, hash: hashBytes("x") },
      ],
    };
    const applied = await call("/tree/manifest?target=t", { method: "PUT", body: JSON.stringify(evil) });
    expect(await errorOf(applied)).toMatchObject({ status: 400, code: "E_UNSAFE_PATH" });
    for (const bad of ["..%2F..%2Fetc%2Fpasswd", "A".repeat(64), "0".repeat(63)]) {
      const res = await call(`/blobs/${bad}`);
      expect([400, 404]).toContain(res.status);
      expect((await errorOf(res)).code).toMatch(/^E_(BAD_HASH|HTTP)$/);
    }
    const link = await call("/tree/manifest?target=t", {
      method: "PUT",
      body: JSON.stringify({ version: 1, entries: [{ type: "dir", path: "", mode: 0o755, mtimeMs: 0 }, { type: "symlink", path: "up", target: "../../x" }] }),
    });
    expect(await errorOf(link)).toMatchObject({ status: 400, code: "E_SYMLINK_ESCAPE" });
    expect(await readdir(dir)).toEqual(["inside.txt"]);
  });

  it("validate bodies and hold them to the limits", async () => {
    const { dir, call, server } = await start({ manifestEntries: 10, hashesPerRequest: 4, blobBytes: 1000 });
    const big = randomBytes(1001);
    const announced = await call(`/blobs/${hashBytes(big)}?size=1001`, { method: "PUT", body: big });
    expect(await errorOf(announced)).toMatchObject({ status: 413, code: "E_TOO_LARGE" });
    const unannounced = await call(`/blobs/${hashBytes(big)}`, { method: "PUT", body: big });
    expect(await errorOf(unannounced)).toMatchObject({ status: 413, code: "E_TOO_LARGE" });
    const notJson = await call("/blobs/missing", { method: "POST", body: "{nope" });
    expect(await errorOf(notJson)).toMatchObject({ status: 400, code: "E_HTTP" });
    const wrongShape = await call("/blobs/missing", { method: "POST", body: JSON.stringify({ hashes: ["x"] }) });
    expect(await errorOf(wrongShape)).toMatchObject({ status: 400, code: "E_HTTP" });
    const tooMany = await call("/blobs/missing", { method: "POST", body: JSON.stringify({ hashes: Array(5).fill(hashBytes("a")) }) });
    expect(await errorOf(tooMany)).toMatchObject({ status: 400, code: "E_HTTP" });
    const huge = await call("/blobs/missing", { method: "POST", body: JSON.stringify({ hashes: [], pad: "x".repeat(10_000) }) });
    expect(await errorOf(huge)).toMatchObject({ status: 413, code: "E_TOO_LARGE" });
    const badManifest = await call("/tree/manifest?target=t", { method: "PUT", body: JSON.stringify({ version: 2, entries: [] }) });
    expect(await errorOf(badManifest)).toMatchObject({ status: 400, code: "E_BAD_MANIFEST" });
    const entries = [{ type: "dir", path: "", mode: 0o755, mtimeMs: 0 }];
    for (let i = 0; i < 11; i++) entries.push({ type: "dir", path: `d${i}`, mode: 0o755, mtimeMs: 0 });
    const many = await call("/tree/manifest?target=t", { method: "PUT", body: JSON.stringify({ version: 1, entries }) });
    expect(await errorOf(many)).toMatchObject({ status: 413, code: "E_TOO_LARGE" });

    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`many/f${i}`] = `file ${i}`;
    await writeTree(dir, files);
    const listed = await call("/tree/manifest?path=many");
    expect(await errorOf(listed)).toMatchObject({ status: 413, code: "E_TOO_LARGE" });
    // The client splits a large question into batches under the limit.
    const hashes = Array.from({ length: 9 }, (_, i) => hashBytes(`h${i}`));
    const client = { url: server.url, token: server.token, limits: { hashesPerRequest: 4 } };
    expect(await httpDriver(client).missing(hashes)).toEqual(hashes);
    expect(await httpRoot(client).missing(hashes)).toEqual(hashes);
  });

  it("keep the bytes of an upload whose connection dropped, and take the rest from there", async () => {
    const { server } = await start();
    const bytes = randomBytes(3 * 1024 * 1024);
    const hash = hashBytes(bytes);
    const url = new URL(`${server.url}/blobs/${hash}?offset=0&size=${bytes.byteLength}`);
    const cut = 2 * 1024 * 1024 + 100;
    // A raw connection that announces the whole blob, sends part of it and is cut.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          `PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${server.token}\r\n` +
            `Content-Length: ${bytes.byteLength}\r\n\r\n`,
        );
        socket.write(bytes.subarray(0, cut), () => setTimeout(() => socket.destroy(), 100));
      });
      socket.on("close", () => resolve());
      socket.on("error", reject);
    });
    const driver = httpDriver({ url: server.url, token: server.token });
    const held = await driver.partialSize(hash);
    expect(held).toBe(cut);
    expect(await driver.stat(hash)).toBeUndefined();
    const rest = await fetch(`${server.url}/blobs/${hash}?offset=${held}&size=${bytes.byteLength}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${server.token}` },
      body: bytes.subarray(held),
    });
    expect(await rest.json()).toEqual({ hash, size: bytes.byteLength });
    expect(hashBytes(await collect(await driver.read(hash)))).toBe(hash);
    const ranged = await fetch(`${server.url}/blobs/${hash}`, { headers: { authorization: `Bearer ${server.token}`, range: "bytes=3000000-" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 3000000-${bytes.byteLength - 1}/${bytes.byteLength}`);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(3_000_000))).toBe(true);
  });

  it("take small blobs uploaded together in a few batches, each one verified alone", async () => {
    const { server, call } = await start();
    let requests = 0;
    const counting = (input: string, init?: RequestInit) => {
      requests++;
      return fetch(input, init);
    };
    const driver = httpDriver({ url: server.url, token: server.token, fetch: counting });
    const blobs = Array.from({ length: 300 }, (_, i) => randomBytes(100 + i * 50));
    const wrong = randomBytes(500);
    const results = await Promise.allSettled([
      ...blobs.map((b) => driver.write(hashBytes(b), once(b), { size: b.byteLength })),
      driver.write(hashBytes(blobs[0]!.subarray(1)), once(wrong), { size: wrong.byteLength }),
    ]);
    expect(results.slice(0, 300).every((r) => r.status === "fulfilled")).toBe(true);
    expect(results[300]).toMatchObject({ status: "rejected", reason: { code: "E_INTEGRITY" } });
    expect(requests).toBeLessThan(10);
    const listed = [];
    for await (const info of driver.list()) listed.push(info.hash);
    expect(listed.sort()).toEqual(blobs.map((b) => hashBytes(b)).sort());
    for (const b of blobs.slice(0, 5)) expect(hashBytes(await collect(await driver.read(hashBytes(b))))).toBe(hashBytes(b));

    const head = new TextEncoder().encode(JSON.stringify({ blobs: [{ hash: hashBytes("abc"), size: 5 }] }));
    const body = new Uint8Array(4 + head.byteLength + 3);
    new DataView(body.buffer).setUint32(0, head.byteLength);
    body.set(head, 4);
    const short = await call("/blobs/batch", { method: "POST", body });
    expect(await errorOf(short)).toMatchObject({ status: 400, code: "E_HTTP" });
    const lying = await call("/blobs/batch", { method: "POST", body: new Uint8Array([255, 255, 255, 255, 1]) });
    expect(await errorOf(lying)).toMatchObject({ status: 400, code: "E_HTTP" });
  });

  it("answer an unknown route with a JSON 404", async () => {
    const { call } = await start();
    expect(await errorOf(await call("/nothing/here"))).toMatchObject({ status: 404, code: "E_HTTP" });
  });
});
