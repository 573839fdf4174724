import type { ApplyOptions, ApplyReport } from "../apply.ts";
import { BlobNotFoundError } from "../errors.ts";
import { assertBlobHash } from "../hash.ts";
import { parseManifest } from "../manifest.ts";
import type { Manifest } from "../manifest.ts";
import type { StorageRoot } from "../root.ts";
import { checkRelativePath } from "../safe-path.ts";
import { HttpClient } from "./client.ts";
import type { HttpClientOptions } from "./client.ts";
import { httpDriver } from "./driver.ts";
import type { HttpDriver } from "./driver.ts";
import { TooLargeError } from "./errors.ts";
import { applyAnswer, hashesBody, missingAnswer } from "./wire.ts";

/** A storage root on another machine, reached through its storage routes. */
export interface HttpRoot extends StorageRoot {
  readonly store: HttpDriver;
}

/**
 * The storage root served by `storageRoutes` on another machine, for the
 * transfer engine: `sync(httpRoot(a), httpRoot(b), "model")` streams each
 * missing blob from a's answer into b's upload, through this process's
 * memory only, one chunk at a time, and b verifies it and applies the tree.
 *
 * @example
 * const gpu = httpRoot({ url: "http://127.0.0.1:7070/storage", token });
 * await sync(localRoot("/work/app"), gpu, "data");
 */
export function httpRoot(options: HttpClientOptions | HttpClient): HttpRoot {
  const client = options instanceof HttpClient ? options : new HttpClient(options);
  const store = httpDriver(client);
  const { name, limits } = client;

  return {
    location: client.location,
    store,

    async manifest(path, opts = {}): Promise<Manifest> {
      checkRelativePath(name, path, true);
      const request = "GET /tree/manifest";
      const res = await client.call("GET", `/tree/manifest?path=${encodeURIComponent(path)}`, { signal: opts.signal });
      let value: unknown;
      try {
        value = await client.readJson(res, request, limits.manifestBytes);
      } finally {
        client.done(res);
      }
      const entries = (value as { entries?: unknown } | null)?.entries;
      if (Array.isArray(entries) && entries.length > limits.manifestEntries) {
        throw new TooLargeError(name, `the manifest of ${JSON.stringify(path)} (${entries.length} entries)`, `${limits.manifestEntries} entries`);
      }
      return parseManifest(name, value);
    },

    async missing(hashes) {
      for (const hash of hashes) assertBlobHash(name, hash);
      const unique = [...new Set(hashes)];
      const out: string[] = [];
      for (let i = 0; i < unique.length; i += limits.hashesPerRequest) {
        const body = JSON.stringify(hashesBody(limits).parse({ hashes: unique.slice(i, i + limits.hashesPerRequest) }));
        const answer = await client.json("POST", "/tree/missing", missingAnswer, { body, headers: { "content-type": "application/json" } });
        out.push(...answer.missing);
      }
      return out;
    },

    async open(hash, offset, signal) {
      assertBlobHash(name, hash);
      const res = await client.call("GET", `/tree/content/${hash}`, { headers: { range: `bytes=${offset}-` }, signal });
      return client.bytes(res, `GET /tree/content/${hash}`, signal);
    },

    async apply(manifest, target, opts: ApplyOptions = {}): Promise<ApplyReport> {
      checkRelativePath(name, target, true);
      const body = JSON.stringify(manifest);
      if (body.length > limits.manifestBytes) throw new TooLargeError(name, "the manifest to apply", `${limits.manifestBytes} bytes`);
      const fetched = new Map<string, number>();
      for (;;) {
        try {
          return await client.json("PUT", `/tree/manifest?target=${encodeURIComponent(target)}`, applyAnswer, {
            body,
            signal: opts.signal,
            headers: { "content-type": "application/json" },
          });
        } catch (err) {
          // Content the other side thought it had was gone: send it, then apply again
          // (files already written are left as they are).
          if (!(err instanceof BlobNotFoundError) || !opts.fetch) throw err;
          const tries = fetched.get(err.hash) ?? 0;
          if (tries >= 3) throw err;
          fetched.set(err.hash, tries + 1);
          await opts.fetch(err.hash);
        }
      }
    },
  };
}
