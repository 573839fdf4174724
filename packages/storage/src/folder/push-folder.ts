import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BlobNotFoundError, SourceChangedError } from "../errors.ts";
import type { HttpRoot } from "../http/root.ts";
import { toWebStream } from "../http/web-streams.ts";
import { missingAnswer } from "../http/wire.ts";
import type { FileEntry, Manifest } from "../manifest.ts";
import type { LocalRoot } from "../root.ts";
import type { ScanFilter } from "../scan.ts";
import { throwIfAborted } from "../streams.ts";
import type { SyncOptions, SyncReport } from "../sync.ts";
import { quickManifest } from "./quick-scan.ts";
import { PUSH_LARGE_FILE, checkAnswer, manifestDigest, pushAnswer } from "./push-wire.ts";

/** Bytes of the push body handed to the connection at a time. */
const CHUNK = 1 << 20;

/** Options of {@link pushFolder}. */
export interface PushFolderOptions {
  readonly signal?: AbortSignal;
  /** Called as the pushed files' bytes are sent. */
  readonly onProgress?: SyncOptions["onProgress"];
  /** The filter `from` scans with (its ignore files), for the quick scan of a folder its index knows. */
  readonly filter?: ScanFilter;
}

/**
 * Makes `target` of an agent's root hold the folder of `from` in one or two
 * requests: while the folder is scanned here, the agent says which manifest
 * it last received there and whether its files are still as written; the
 * same digest ends the sync. Otherwise the blobs it lacks go in one streamed
 * push (files over `PUSH_LARGE_FILE` first, each as a resumable blob) that
 * the agent stages, makes durable once and puts in place.
 */
export async function pushFolder(from: LocalRoot, to: HttpRoot, target: string, options: PushFolderOptions = {}): Promise<SyncReport> {
  const started = performance.now();
  const client = to.store.client;
  const json = { "content-type": "application/json" };
  const check = client.json("POST", "/folders/check", checkAnswer, { body: JSON.stringify({ target }), headers: json, signal: options.signal });
  check.catch(() => {}); // awaited below, after the scan
  const manifest = (await quickManifest(from, options.filter, options.signal)) ?? (await from.manifest("", { signal: options.signal }));
  const digest = manifestDigest(manifest);
  const there = await check;
  const files = manifest.entries.filter((e): e is FileEntry => e.type === "file");
  const report = (sent: { blobs: number; bytes: number; written: number }): SyncReport => ({
    manifest,
    files: files.length,
    dirs: manifest.entries.filter((e) => e.type === "dir").length,
    symlinks: manifest.entries.filter((e) => e.type === "symlink").length,
    bytesTotal: files.reduce((sum, e) => sum + e.size, 0),
    blobsSent: sent.blobs,
    bytesSent: sent.bytes,
    bytesResumed: 0,
    filesWritten: sent.written,
    durationMs: performance.now() - started,
  });
  if (there.intact && there.digest === digest) return report({ blobs: 0, bytes: 0, written: 0 });

  const first = new Map<string, FileEntry>();
  for (const e of files) if (!first.has(e.hash)) first.set(e.hash, e);
  const missing = (await askMissing(to, [...first.keys()])).filter((h) => first.has(h));
  let blobs = 0;
  let bytes = 0;
  const large = missing.filter((h) => first.get(h)!.size > PUSH_LARGE_FILE);
  let small = missing.filter((h) => first.get(h)!.size <= PUSH_LARGE_FILE);
  for (const hash of large) {
    await sendBlob(from, to, first.get(hash)!, options.signal);
    blobs++;
    bytes += first.get(hash)!.size;
  }
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      const sent = small.map((h) => first.get(h)!);
      const answer = await push(from, to, target, manifest, sent, options, bytes);
      blobs += sent.length;
      bytes += sent.reduce((sum, e) => sum + e.size, 0);
      return report({ blobs, bytes, written: answer.filesWritten });
    } catch (err) {
      // Content the agent thought it had was gone: send it too.
      if (!(err instanceof BlobNotFoundError) || attempt >= 3 || !first.has(err.hash) || small.includes(err.hash)) throw err;
      const entry = first.get(err.hash)!;
      if (entry.size > PUSH_LARGE_FILE) {
        await sendBlob(from, to, entry, options.signal);
        blobs++;
        bytes += entry.size;
      } else small = [...small, err.hash];
    }
  }
}

/** The hashes the agent lacks, in requests of at most its limit. */
async function askMissing(to: HttpRoot, hashes: string[]): Promise<string[]> {
  const client = to.store.client;
  const out: string[] = [];
  for (let i = 0; i < hashes.length; i += client.limits.hashesPerRequest) {
    const body = JSON.stringify({ hashes: hashes.slice(i, i + client.limits.hashesPerRequest) });
    out.push(...(await client.json("POST", "/folders/missing", missingAnswer, { body, headers: { "content-type": "application/json" } })).missing);
  }
  return out;
}

/** One push: the manifest and the bytes of `sent`, read from the folder as they go. */
async function push(from: LocalRoot, to: HttpRoot, target: string, manifest: Manifest, sent: FileEntry[], options: PushFolderOptions, before: number) {
  const { signal, onProgress } = options;
  const bytesToSend = before + sent.reduce((sum, e) => sum + e.size, 0);
  let bytesSent = before;
  const head = new TextEncoder().encode(JSON.stringify({ manifest, blobs: sent.map((e) => ({ hash: e.hash, size: e.size })) }));
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, head.byteLength);
  // Small files are read synchronously (from the page cache, mostly: the scan just read them) and
  // sent in chunks of about CHUNK bytes: one write per chunk, not one per file, down the connection.
  async function* body(): AsyncGenerator<Uint8Array> {
    let parts: Uint8Array[] = [prefix, head];
    let size = prefix.byteLength + head.byteLength;
    for (const e of sent) {
      const bytes = e.size > CHUNK ? await readFile(join(from.dir, e.path)) : readFileSync(join(from.dir, e.path));
      if (bytes.byteLength !== e.size) throw new SourceChangedError("folder push", e.path, from.dir);
      parts.push(bytes);
      size += bytes.byteLength;
      if (size >= CHUNK) {
        yield Buffer.concat(parts, size);
        parts = [];
        size = 0;
      }
      bytesSent += bytes.byteLength;
      onProgress?.({ bytesSent, bytesToSend, path: e.path });
    }
    if (size > 0) yield Buffer.concat(parts, size);
  }
  let bodyError: unknown;
  const stream = toWebStream(body(), (err) => (bodyError = err));
  return to.store.client.json("PUT", `/folders/push?target=${encodeURIComponent(target)}`, pushAnswer, {
    body: stream,
    signal,
    headers: { "content-type": "application/octet-stream" },
    bodyError: () => bodyError,
  });
}

/** A large file as a blob of its own, resumed from what the agent kept of an earlier try. */
async function sendBlob(from: LocalRoot, to: HttpRoot, entry: FileEntry, signal: AbortSignal | undefined): Promise<void> {
  const held = await to.store.partialSize(entry.hash);
  const offset = held <= entry.size ? held : 0;
  await to.store.write(entry.hash, await from.open(entry.hash, offset, signal), { offset, size: entry.size, signal });
}
