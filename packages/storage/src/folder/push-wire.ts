/**
 * What crosses the network in a folder push (`PUT /folders/push`) and its
 * check (`POST /folders/check`): the body of a push is a 4-byte big-endian
 * length, a JSON head (the manifest and the blobs that follow, in order),
 * then the blobs' bytes one after the other. The manifest's digest names a
 * folder's whole state in one hash, so an unchanged folder costs one request.
 */
import { createHash } from "node:crypto";
import * as z from "zod";
import type { Manifest } from "../manifest.ts";

/** Bytes of a push's head: its length prefix may not say more. */
export const PUSH_HEAD_MAX = 512 * 1024 * 1024;

/** Files larger than this are sent as blobs of their own (resumable), before the push that names them. */
export const PUSH_LARGE_FILE = 8 * 1024 * 1024;

const hash = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 as 64 lowercase hex characters");

/** The head of a push: the manifest (validated again with `parseManifest`) and the blobs whose bytes follow. */
export const pushHead = z.strictObject({
  manifest: z.unknown(),
  blobs: z.array(z.strictObject({ hash, size: z.number().int().min(0) })),
});

/** The body of `POST /folders/check`. */
export const checkBody = z.strictObject({ target: z.string().max(4096) });

/** The answer of `POST /folders/check`: the digest of the manifest last pushed to `target`, and whether its files are still as written. */
export const checkAnswer = z.strictObject({ digest: hash.nullable(), intact: z.boolean() });

/** The answer of a push. */
export const pushAnswer = z.strictObject({
  filesWritten: z.number().int().min(0),
  bytesWritten: z.number().int().min(0),
  digest: hash,
});

/**
 * One hash for a manifest: every entry's fields in a fixed order, so that
 * both sides compute the same digest for the same folder whatever the key
 * order of the objects they hold. Folders' mtimes are left out: they change
 * whenever something ignored appears in them (`.lit/`, `__pycache__/`), which
 * is no change of what is synced; a push that writes sets them.
 */
export function manifestDigest(manifest: Manifest): string {
  const h = createHash("sha256");
  for (const e of manifest.entries) {
    const fields =
      e.type === "file"
        ? ["f", e.path, e.size, e.mode, e.mtimeMs, e.hash]
        : e.type === "dir"
          ? ["d", e.path, e.mode]
          : ["l", e.path, e.target];
    h.update(JSON.stringify(fields));
    h.update("\n");
  }
  return h.digest("hex");
}
