import type { BlobInfo, Driver, ReadOptions, WriteOptions } from "../driver.ts";
import { IntegrityError, ResumeError } from "../errors.ts";
import { assertBlobHash, hashBytes } from "../hash.ts";
import { throwIfAborted } from "../streams.ts";
import { HttpClient } from "./client.ts";
import type { HttpClientOptions } from "./client.ts";
import { UploadBatcher } from "./batcher.ts";
import { HttpError } from "./errors.ts";
import { fromWebStream, toWebStream } from "./web-streams.ts";
import { BATCH_BLOB_BYTES, SIZE_HEADER, blobInfo, deleteAnswer, hashesBody, missingAnswer, partialAnswer } from "./wire.ts";

/** Options of {@link httpDriver}. */
export type HttpDriverOptions = HttpClientOptions;

/** A driver over the storage routes of another machine. */
export interface HttpDriver extends Driver {
  /** The requests it makes (shared with `httpRoot`). */
  readonly client: HttpClient;
}

/**
 * A storage driver that talks to `storageRoutes` over HTTP: the blob store
 * of an agent, through `fetch` or any function like it (an SSH forward).
 * Every method is one request; bodies are streamed both ways, so a blob is
 * never held whole in memory.
 *
 * @example
 * const store = httpDriver({ url: "http://127.0.0.1:7070/storage", token });
 * await store.write(hash, readFile("model.pt", 0), { size });
 */
export function httpDriver(options: HttpDriverOptions | HttpClient): HttpDriver {
  const client = options instanceof HttpClient ? options : new HttpClient(options);
  const { name, location } = client;
  const blobUrl = (hash: string) => `/blobs/${hash}`;
  const batcher = new UploadBatcher(client);

  /** A small blob's bytes, checked against its announced size. */
  async function smallBody(hash: string, body: AsyncIterable<Uint8Array>, size: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let got = 0;
    for await (const chunk of body) {
      got += chunk.byteLength;
      if (got > size) break;
      parts.push(chunk);
    }
    const bytes = Buffer.concat(parts);
    if (got !== size) {
      const why = got > size ? `more than the announced ${size} bytes arrived` : `${got} bytes arrived where ${size} were announced`;
      throw new IntegrityError(name, location, hash, hashBytes(bytes), got, why);
    }
    return bytes;
  }

  return {
    name,
    location,
    client,

    async stat(hash) {
      assertBlobHash(name, hash);
      const res = await client.call("HEAD", blobUrl(hash), {}, [404]);
      if (res.status === 404) return undefined;
      const size = Number(res.headers.get(SIZE_HEADER));
      if (!Number.isSafeInteger(size) || size < 0) throw new HttpError(name, location, "HEAD /blobs", `no valid ${SIZE_HEADER} header`);
      return { hash, size };
    },

    async missing(hashes) {
      for (const hash of hashes) assertBlobHash(name, hash);
      const unique = [...new Set(hashes)];
      const out: string[] = [];
      for (let i = 0; i < unique.length; i += client.limits.hashesPerRequest) {
        const batch = unique.slice(i, i + client.limits.hashesPerRequest);
        const body = JSON.stringify(hashesBody(client.limits).parse({ hashes: batch }));
        const answer = await client.json("POST", "/blobs/missing", missingAnswer, { body, headers: { "content-type": "application/json" } });
        out.push(...answer.missing);
      }
      return out;
    },

    async read(hash: string, options: ReadOptions = {}) {
      assertBlobHash(name, hash);
      const offset = options.offset ?? 0;
      throwIfAborted(options.signal);
      const res = await client.call("GET", blobUrl(hash), { headers: { range: `bytes=${offset}-` }, signal: options.signal });
      return client.bytes(res, `GET /blobs/${hash}`, options.signal, Number(res.headers.get("content-length") ?? Number.NaN));
    },

    async partialSize(hash) {
      assertBlobHash(name, hash);
      return (await client.json("GET", `/partials/${hash}`, partialAnswer)).size;
    },

    async write(hash, body, options: WriteOptions = {}) {
      assertBlobHash(name, hash);
      const offset = options.offset ?? 0;
      if (!Number.isSafeInteger(offset) || offset < 0) throw new ResumeError(name, hash, location, offset, 0);
      throwIfAborted(options.signal);
      if (offset === 0 && options.size !== undefined && options.size <= BATCH_BLOB_BYTES) {
        return batcher.add(hash, await smallBody(hash, body, options.size));
      }
      let bodyError: unknown;
      const query = `offset=${offset}${options.size === undefined ? "" : `&size=${options.size}`}`;
      const stream = toWebStream(body, (err) => (bodyError = err));
      const info = await client.json("PUT", `${blobUrl(hash)}?${query}`, blobInfo, {
        body: stream,
        signal: options.signal,
        headers: { "content-type": "application/octet-stream" },
        bodyError: () => bodyError,
        ...(options.size !== undefined ? { bodyLength: options.size - offset } : {}),
      });
      return info as BlobInfo;
    },

    async *list() {
      const res = await client.call("GET", "/blobs");
      const decoder = new TextDecoder();
      let buffered = "";
      const parse = (line: string) => {
        const parsed = blobInfo.safeParse(JSON.parse(line));
        if (!parsed.success) throw new HttpError(name, location, "GET /blobs", `unexpected line ${JSON.stringify(line.slice(0, 100))}`);
        return parsed.data;
      };
      for await (const chunk of fromWebStream(res.body ?? new ReadableStream(), undefined, () => client.done(res))) {
        buffered += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line) yield parse(line);
        }
        if (buffered.length > 1024) throw new HttpError(name, location, "GET /blobs", "a line is longer than a blob's record");
      }
      if (buffered.trim()) yield parse(buffered);
    },

    async delete(hash) {
      assertBlobHash(name, hash);
      return (await client.json("DELETE", blobUrl(hash), deleteAnswer)).deleted;
    },
  };
}
