import { Hono } from "hono";
import type { Context } from "hono";
import { BlobNotFoundError, ManifestError, RangeNotSatisfiableError } from "../errors.ts";
import { assertBlobHash } from "../hash.ts";
import { parseManifest } from "../manifest.ts";
import { eachLimited } from "../pool.ts";
import { localRoot } from "../root.ts";
import type { LocalRoot } from "../root.ts";
import { checkRelativePath } from "../safe-path.ts";
import { HttpError, TooLargeError } from "./errors.ts";
import { folderRoutes } from "./folder-routes.ts";
import { hashesOf, jsonBody } from "./json-body.ts";
import { readAhead } from "./read-ahead.ts";
import { fromWebStream, readLimited, toWebStream } from "./web-streams.ts";
import { BATCH_MAX_BYTES, DEFAULT_LIMITS, SIZE_HEADER, batchHead, encodeError, withDetails } from "./wire.ts";
import type { StorageLimits } from "./wire.ts";

/** Options of {@link storageRoutes}. */
export interface StorageRoutesOptions {
  /** The storage root served: a folder (made if missing) or a `localRoot`. */
  readonly root: string | LocalRoot;
  /** Limits on manifests and batches; see {@link DEFAULT_LIMITS}. */
  readonly limits?: Partial<StorageLimits>;
  /**
   * Checked before every request; `false` answers 401. Leave it out only when
   * the routes are mounted behind the server's own authentication.
   */
  readonly authorize?: (request: Request) => boolean | Promise<boolean>;
}

const where = "routes";

/** How long a partial-size question waits for writes of that blob that are ending (their connection dropped). */
const SETTLE_MS = 2000;

/**
 * The storage routes: one storage root served over HTTP, for an agent to
 * mount behind its authentication (`app.route("/storage", storageRoutes(...))`).
 *
 * - The root's blob store (the `Driver` contract, see `httpDriver`):
 *   `HEAD|GET /blobs/:hash` (`Range: bytes=<offset>-`), `PUT /blobs/:hash?offset=&size=`
 *   (streamed, verified against its hash, written under a temp name then renamed;
 *   an upload cut off keeps what arrived, and `GET /partials/:hash` says how much,
 *   so the next one sends only the rest), `DELETE /blobs/:hash`, `GET /blobs`
 *   (NDJSON), `POST /blobs/missing` (`{ hashes }` → `{ missing }`).
 * - The root's tree (the `StorageRoot` contract, see `httpRoot`):
 *   `GET /tree/manifest?path=`, `PUT /tree/manifest?target=` (applies a manifest),
 *   `POST /tree/missing`, `GET /tree/content/:hash` (`Range`).
 * - A folder in one request (see `folderRoutes`): `POST /folders/check`, `PUT /folders/push`.
 *
 * Hashes are checked before they name a file, and paths are relative names
 * that may not climb out of the root. Errors are `{ error: { code, message } }`.
 *
 * @example
 * const app = new Hono();
 * app.use("/storage/*", bearerAuth({ token }));
 * app.route("/storage", storageRoutes({ root: "/home/me/.lit/storage" }));
 */
export function storageRoutes(options: StorageRoutesOptions): Hono {
  const root = typeof options.root === "string" ? localRoot(options.root) : options.root;
  const store = root.store;
  const limits: StorageLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const inflight = new Map<string, Set<Promise<unknown>>>();
  const app = new Hono();

  app.onError((err, c) => {
    const { status, body } = encodeError(err);
    return c.json(body, status as 400);
  });
  if (options.authorize) {
    const authorize = options.authorize;
    app.use(async (c, next) => {
      if (!(await authorize(c.req.raw))) {
        return c.json({ error: { code: "E_HTTP", message: `[storage] [${where}] unauthorized: send the agent's token as a bearer token` } }, 401);
      }
      await next();
    });
  }

  const hashParam = (c: Context) => {
    const hash = c.req.param("hash");
    assertBlobHash(where, hash);
    return hash;
  };

  app.get("/blobs/:hash", async (c) => {
    const hash = hashParam(c);
    const info = await store.stat(hash);
    if (!info) throw new BlobNotFoundError(store.name, hash, store.location);
    const headers: Record<string, string> = { [SIZE_HEADER]: String(info.size), "content-type": "application/octet-stream" };
    if (c.req.method === "HEAD") return new Response(null, { status: 200, headers });
    const offset = rangeStart(c, hash, info.size, store.location);
    const body = await store.read(hash, { offset, signal: c.req.raw.signal });
    headers["content-length"] = String(info.size - offset);
    const partial = offset > 0 && offset < info.size;
    if (partial) headers["content-range"] = `bytes ${offset}-${info.size - 1}/${info.size}`;
    return new Response(toWebStream(body), { status: partial ? 206 : 200, headers });
  });

  app.put("/blobs/:hash", async (c) => {
    const hash = hashParam(c);
    const offset = intQuery(c, "offset") ?? 0;
    const size = intQuery(c, "size");
    // A dropped connection errors the body (the partial is kept for a resume); a body that
    // ends cleanly short of `size` is a wrong blob, rejected and not kept.
    const tooLarge = () => new TooLargeError(where, `the upload of blob ${hash}`, `${limits.blobBytes} bytes`);
    if ((size ?? offset) > limits.blobBytes) throw tooLarge();
    const raw = nodeBody(c) ?? fromWebStream(c.req.raw.body ?? new ReadableStream({ start: (s) => s.close() }));
    const body = capped(raw, limits.blobBytes - offset, tooLarge);
    const writing = store.write(hash, body, { offset, size });
    const set = inflight.get(hash) ?? new Set();
    inflight.set(hash, set.add(writing));
    try {
      return c.json(await writing);
    } finally {
      set.delete(writing);
      if (set.size === 0) inflight.delete(hash);
    }
  });

  app.post("/blobs/batch", async (c) => {
    const limit = 4 + 256 * 1024 + BATCH_MAX_BYTES;
    const bytes = await readLimited(c.req.raw.body, limit, () => new TooLargeError(where, "a batch upload", `${limit} bytes`));
    const bad = (problem: string) => new HttpError(where, c.req.path, "POST", `invalid batch: ${problem}`);
    if (bytes.byteLength < 4) throw bad("no head");
    const headLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
    if (headLength > 256 * 1024 || 4 + headLength > bytes.byteLength) throw bad(`a head of ${headLength} bytes`);
    let head: unknown;
    try {
      head = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headLength)));
    } catch {
      throw bad("the head is not JSON");
    }
    const parsed = batchHead.safeParse(head);
    if (!parsed.success) throw bad(parsed.error.issues[0]?.message ?? "");
    const blobs = parsed.data.blobs;
    const total = blobs.reduce((sum, b) => sum + b.size, 0);
    if (4 + headLength + total !== bytes.byteLength) throw bad(`${bytes.byteLength - 4 - headLength} bytes follow the head, which lists ${total}`);
    const starts: number[] = [];
    let at = 4 + headLength;
    for (const blob of blobs) {
      starts.push(at);
      at += blob.size;
    }
    // Each blob is written as an upload of its own would be: verified, then renamed into place.
    const results = new Array<unknown>(blobs.length);
    await eachLimited(blobs.keys(), 16, async (i) => {
      const blob = blobs[i]!;
      const body = bytes.subarray(starts[i]!, starts[i]! + blob.size);
      results[i] = await store.write(blob.hash, once(body), { size: blob.size }).then(
        (info) => info,
        (err: unknown) => encodeError(err).body,
      );
    });
    return c.json({ results });
  });

  app.get("/partials/:hash", async (c) => {
    const hash = hashParam(c);
    const writing = inflight.get(hash);
    if (writing) {
      const settled = Promise.allSettled([...writing]);
      await Promise.race([settled, new Promise((r) => setTimeout(r, SETTLE_MS).unref?.())]);
    }
    return c.json({ size: await store.partialSize(hash) });
  });

  app.delete("/blobs/:hash", async (c) => c.json({ deleted: await store.delete(hashParam(c)) }));

  app.post("/blobs/missing", async (c) => c.json({ missing: await store.missing(await hashesOf(c, limits)) }));

  app.get("/blobs", () => {
    async function* lines(): AsyncGenerator<Uint8Array> {
      const encoder = new TextEncoder();
      let batch = "";
      for await (const info of store.list()) {
        batch += `${JSON.stringify({ hash: info.hash, size: info.size })}\n`;
        if (batch.length > 64 * 1024) {
          yield encoder.encode(batch);
          batch = "";
        }
      }
      if (batch) yield encoder.encode(batch);
    }
    return new Response(toWebStream(lines()), { headers: { "content-type": "application/x-ndjson" } });
  });

  app.get("/tree/manifest", async (c) => {
    const path = c.req.query("path") ?? "";
    checkRelativePath(where, path, true);
    const manifest = await root.manifest(path, { signal: c.req.raw.signal });
    if (manifest.entries.length > limits.manifestEntries) {
      throw new TooLargeError(where, `the manifest of ${JSON.stringify(path)} (${manifest.entries.length} entries)`, `${limits.manifestEntries} entries`);
    }
    const text = JSON.stringify(manifest);
    if (text.length > limits.manifestBytes) {
      throw new TooLargeError(where, `the manifest of ${JSON.stringify(path)}`, `${limits.manifestBytes} bytes`);
    }
    return new Response(text, { headers: { "content-type": "application/json" } });
  });

  app.put("/tree/manifest", async (c) => {
    const target = c.req.query("target") ?? "";
    checkRelativePath(where, target, true);
    const value = await jsonBody(c, limits.manifestBytes, "the manifest");
    const entries = (value as { entries?: unknown } | null)?.entries;
    if (Array.isArray(entries) && entries.length > limits.manifestEntries) {
      throw new TooLargeError(where, `a manifest of ${entries.length} entries`, `${limits.manifestEntries} entries`);
    }
    if (value === null || typeof value !== "object") throw new ManifestError(where, "the body is not an object");
    const manifest = await parseManifest(where, value);
    const report = await root.apply(manifest, target, { signal: c.req.raw.signal });
    return c.json({ filesWritten: report.filesWritten, bytesWritten: report.bytesWritten });
  });

  app.post("/tree/missing", async (c) => c.json({ missing: await root.missing(await hashesOf(c, limits)) }));

  app.get("/tree/content/:hash", async (c) => {
    const hash = hashParam(c);
    const offset = rangeStart(c, hash, Number.MAX_SAFE_INTEGER, root.location);
    const body = await root.open(hash, offset, c.req.raw.signal);
    return new Response(toWebStream(body), { status: offset > 0 ? 206 : 200, headers: { "content-type": "application/octet-stream" } });
  });

  app.route("/folders", folderRoutes(root, limits));

  // Mounted as a sub-app, its own notFound is not consulted: answer unknown routes here.
  app.all("*", (c) =>
    c.json({ error: { code: "E_HTTP", message: `[storage] [${where}] no such route: ${c.req.method} ${c.req.path}` } }, 404),
  );
  return app;
}

/** The part of Node's request that {@link nodeBody} reads. */
interface NodeIncoming extends NodeJS.ReadableStream {
  readonly readableFlowing: boolean | null;
  readonly readableDidRead?: boolean;
  destroy(error?: Error): void;
}

/**
 * The request's body as the Node stream under it, when `@hono/node-server`
 * serves the routes (it passes `{ incoming }` as the env) and nobody has read
 * it yet: an upload then goes from the socket to the file without a web
 * stream's promise per chunk, each chunk as it came (see read-ahead.ts).
 * `undefined` elsewhere (Bun, Deno, a read body).
 */
export function nodeBody(c: Context): AsyncIterable<Uint8Array> | undefined {
  const incoming = (c.env as { incoming?: Partial<NodeIncoming> } | undefined)?.incoming;
  if (!incoming || typeof incoming.pipe !== "function" || typeof incoming[Symbol.asyncIterator] !== "function") return undefined;
  if (incoming.readableFlowing !== null || incoming.readableDidRead === true) return undefined;
  return readAhead(incoming as NodeIncoming, UPLOAD_READ_AHEAD_BYTES, "the upload");
}

/** Bytes of an upload read ahead of the disk: one write batch arrives while the one before is written. */
const UPLOAD_READ_AHEAD_BYTES = 2 * 1024 * 1024;

/** Fails once more than `limit` bytes came through. */
async function* capped(body: AsyncIterable<Uint8Array>, limit: number, tooLarge: () => Error): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.byteLength;
    if (seen > limit) throw tooLarge();
    yield chunk;
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** An optional query parameter that must be a non-negative integer. */
function intQuery(c: Context, name: string): number | undefined {
  const text = c.req.query(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(value)) {
    throw new HttpError(where, c.req.path, c.req.method, `query parameter ${name}=${JSON.stringify(text.slice(0, 40))} is not a non-negative integer`);
  }
  return value;
}

/** The first byte asked for by `Range: bytes=<n>-` (the only form served); 0 without one. */
function rangeStart(c: Context, hash: string, size: number, location: string): number {
  const range = c.req.header("range");
  if (range === undefined) return 0;
  const match = /^bytes=(\d{1,16})-$/.exec(range.trim());
  if (!match) throw new HttpError(where, c.req.path, "GET", `unsupported Range ${JSON.stringify(range.slice(0, 60))}: only "bytes=<offset>-" is served`);
  const offset = Number(match[1]);
  if (offset > size) {
    throw withDetails(new RangeNotSatisfiableError(where, hash, location, offset, size), { hash, offset, size });
  }
  return offset;
}
