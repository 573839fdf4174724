import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isErrno } from "../errors.ts";
import { isBlobHash } from "../hash.ts";
import type { LocalRoot } from "../root.ts";

/** Up to this many hashes are looked up one by one; more, and the store's folders are listed once. */
const ONE_BY_ONE = 64;

/**
 * Of these hashes, the contents a push must carry: neither in the root's
 * store nor known (by the tree's index) to be in its tree. Optimistic as the
 * root's own `missing` is: a push whose content turns out to be gone fails
 * naming the hash, and is sent again with it. For many hashes the store's
 * folders are listed (one read per folder, usually empty) rather than each
 * blob looked up: an app folder's first sync asks about thousands of files.
 */
export async function missingForPush(root: LocalRoot, hashes: readonly string[]): Promise<string[]> {
  await root.index.load();
  const unknown = [...new Set(hashes)].filter((hash) => root.index.pathsOf(hash).length === 0);
  if (unknown.length <= ONE_BY_ONE) return root.store.missing(unknown);
  const stored = await storedHashes(dirname(dirname(root.store.blobPath("0".repeat(64)))));
  return unknown.filter((hash) => !stored.has(hash));
}

/** The hashes of the blobs in a store's `blobs/<2 hex>/<hash>` folders. */
async function storedHashes(blobsDir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const shards = await readdir(blobsDir).catch((err: unknown) => {
    if (isErrno(err, "ENOENT")) return [] as string[];
    throw err;
  });
  for (const shard of shards) {
    const names = await readdir(join(blobsDir, shard)).catch((err: unknown) => {
      if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return [] as string[];
      throw err;
    });
    for (const name of names) if (isBlobHash(name) && name.startsWith(shard)) out.add(name);
  }
  return out;
}
