import { createHash, randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import { closeSync, constants, fchmodSync, fstatSync, futimesSync, mkdirSync, openSync, writeSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { IntegrityError, ManifestError, NoSpaceError, isNoSpace } from "../errors.ts";
import { HttpError, TooLargeError } from "../http/errors.ts";
import type { StorageLimits } from "../http/wire.ts";
import { parseManifest } from "../manifest.ts";
import type { FileEntry, Manifest } from "../manifest.ts";
import { META_DIR } from "../safe-path.ts";
import { PUSH_HEAD_MAX, pushHead } from "./push-wire.ts";

const where = "folder push";

/** Staging folders older than this are left over from an agent that stopped mid-push (no push takes a day), and removed. */
const STALE_MS = 24 * 60 * 60 * 1000;

/** A blob of the push, written into the staging tree at the first file that holds it. */
export interface StagedBlob {
  readonly hash: string;
  readonly size: number;
  /** The first file entry with this content. */
  readonly entry: FileEntry;
  /** Its file in the staging tree, once complete (mode and mtime set). */
  stats?: Stats;
  /** A time no later than when `stats` was taken, after the bytes were written. */
  lookedAt?: number;
}

/** A push received whole into a staging folder of the root, nothing flushed yet. */
export interface StagedPush {
  readonly manifest: Manifest;
  /** The staging folder (removed by {@link dropStaging}). */
  readonly dir: string;
  /** The tree inside it, laid out as the manifest says. */
  readonly tree: string;
  readonly blobs: Map<string, StagedBlob>;
  readonly bytes: number;
}

/**
 * Reads a push's body (length-prefixed head, then the blobs' bytes) into a
 * new staging folder under the root's `.lit-storage/staging/`, each blob
 * written at its first file's place in a tree laid out as the manifest
 * says, verified against its hash, given its mode and mtime, and not
 * flushed: the caller makes the whole folder durable at once. Everything in
 * the head is checked before anything is written (shape, names, sizes,
 * counts, total bytes against `limits`); a body that breaks off, holds more
 * or fewer bytes, or a blob that does not hash as announced fails the push,
 * and the staging folder is removed.
 */
export async function receivePush(rootDir: string, body: AsyncIterable<Uint8Array>, limits: StorageLimits): Promise<StagedPush> {
  const reader = new Reader(body);
  // The 4 bytes may be a view into a larger buffer (a Node request's chunk that also held the headers).
  const lengthBytes = await reader.take(4, "the head's length");
  const headLength = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 4).getUint32(0);
  const headMax = Math.min(PUSH_HEAD_MAX, limits.manifestBytes + 160 * limits.manifestEntries);
  if (headLength > headMax) throw new TooLargeError(where, `a push head of ${headLength} bytes`, `${headMax} bytes`);
  let head: unknown;
  try {
    head = JSON.parse(new TextDecoder().decode(await reader.take(headLength, "the head")));
  } catch (err) {
    if (err instanceof SyntaxError) throw new ManifestError(where, "the push head is not JSON");
    throw err;
  }
  const parsed = pushHead.safeParse(head);
  if (!parsed.success) throw new ManifestError(where, `invalid push head: ${parsed.error.issues[0]?.message ?? ""}`);
  const entries = (parsed.data.manifest as { entries?: unknown } | null)?.entries;
  if (Array.isArray(entries) && entries.length > limits.manifestEntries) {
    throw new TooLargeError(where, `a manifest of ${entries.length} entries`, `${limits.manifestEntries} entries`);
  }
  const manifest = await parseManifest(where, parsed.data.manifest);
  if (manifest.entries[0]!.type !== "dir") throw new ManifestError(where, "a folder push needs a folder at its base");
  const first = new Map<string, FileEntry>();
  for (const e of manifest.entries) if (e.type === "file" && !first.has(e.hash)) first.set(e.hash, e);
  const blobs = new Map<string, StagedBlob>();
  let bytes = 0;
  for (const [i, b] of parsed.data.blobs.entries()) {
    const entry = first.get(b.hash);
    if (!entry) throw new ManifestError(where, `blob ${i} (${b.hash}) is no file's content in the manifest`);
    if (entry.size !== b.size) throw new ManifestError(where, `blob ${i} has ${b.size} bytes where ${JSON.stringify(entry.path)} has ${entry.size}`);
    if (blobs.has(b.hash)) throw new ManifestError(where, `blob ${i} (${b.hash}) is sent twice`);
    blobs.set(b.hash, { hash: b.hash, size: b.size, entry });
    bytes += b.size;
  }
  if (bytes > limits.blobBytes) throw new TooLargeError(where, `a push of ${bytes} bytes`, `${limits.blobBytes} bytes`);

  const staging = join(rootDir, META_DIR, "staging");
  mkdirSync(staging, { recursive: true });
  await removeStale(staging);
  const dir = join(staging, `${Date.now()}-${randomBytes(6).toString("hex")}`);
  const tree = join(dir, "t");
  let current: { blob: StagedBlob; fd: number; left: number; hasher: ReturnType<typeof createHash> } | undefined;
  let last: StagedBlob | undefined;
  try {
    mkdirSync(dir);
    mkdirSync(tree);
    // Names were checked by parseManifest (no "..", no absolute path), and this tree is new: no link can be in the way.
    for (const e of manifest.entries) if (e.type === "dir" && e.path !== "") mkdirSync(join(tree, e.path));
    const open = (blob: StagedBlob) => {
      const fd = openSync(join(tree, blob.entry.path), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      current = { blob, fd, left: blob.size, hasher: createHash("sha256") };
      last = blob;
    };
    const finish = () => {
      const { blob, fd, hasher } = current!;
      current = undefined;
      try {
        const actual = hasher.digest("hex");
        if (actual !== blob.hash) throw new IntegrityError(where, rootDir, blob.hash, actual, blob.size);
        fchmodSync(fd, blob.entry.mode & 0o777);
        futimesSync(fd, blob.entry.mtimeMs / 1000, blob.entry.mtimeMs / 1000);
        blob.lookedAt = Date.now();
        blob.stats = fstatSync(fd);
      } finally {
        closeSync(fd);
      }
    };
    const order = [...blobs.values()];
    let next = 0;
    const advance = () => {
      while (!current && next < order.length) {
        open(order[next++]!);
        if (current!.left === 0) finish();
      }
    };
    advance();
    for await (const chunk of reader.rest()) {
      let at = 0;
      while (at < chunk.byteLength) {
        if (!current) throw new ManifestError(where, `the push holds more bytes than the ${order.length} blobs its head lists`);
        const n = Math.min(current.left, chunk.byteLength - at);
        const part = chunk.subarray(at, at + n);
        current.hasher.update(part);
        for (let off = 0; off < n; ) off += writeSync(current.fd, part, off, n - off);
        current.left -= n;
        at += n;
        if (current.left === 0) {
          finish();
          advance();
        }
      }
    }
    if (current || next < order.length) {
      const done = order.filter((b) => b.stats).length;
      throw new HttpError(where, rootDir, "PUT /folders/push", `the body ended after ${done} of its ${order.length} blobs; nothing was changed, push again`);
    }
    return { manifest, dir, tree, blobs, bytes };
  } catch (err) {
    if (current) closeSync(current.fd);
    await dropStaging(dir);
    if (isNoSpace(err) && !(err instanceof NoSpaceError)) {
      throw new NoSpaceError(where, last?.entry.path ?? "", rootDir, err, { bytes: last?.size, hint: `Free space on that disk (the push holds ${bytes} bytes), then sync again.` });
    }
    throw err;
  }
}

/** Removes a staging folder and what is left in it. */
export async function dropStaging(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => {});
}

async function removeStale(staging: string): Promise<void> {
  for (const name of await readdir(staging).catch(() => [] as string[])) {
    const st = await stat(join(staging, name)).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > STALE_MS) await dropStaging(join(staging, name));
  }
}

/** Takes exact numbers of bytes from the front of a body, then hands over the rest. */
class Reader {
  readonly #it: AsyncIterator<Uint8Array>;
  #held: Uint8Array[] = [];
  #heldBytes = 0;

  constructor(body: AsyncIterable<Uint8Array>) {
    this.#it = body[Symbol.asyncIterator]();
  }

  async take(n: number, what: string): Promise<Uint8Array> {
    while (this.#heldBytes < n) {
      const next = await this.#it.next();
      if (next.done) throw new ManifestError(where, `the push ended before ${what}`);
      this.#held.push(next.value);
      this.#heldBytes += next.value.byteLength;
    }
    const all = this.#held.length === 1 ? this.#held[0]! : Buffer.concat(this.#held);
    const out = all.slice(0, n);
    const rest = all.subarray(n);
    this.#held = rest.byteLength > 0 ? [rest] : [];
    this.#heldBytes = rest.byteLength;
    return out;
  }

  async *rest(): AsyncGenerator<Uint8Array> {
    for (const held of this.#held) yield held;
    this.#held = [];
    for (;;) {
      const next = await this.#it.next();
      if (next.done) return;
      yield next.value;
    }
  }
}
