import { createHash } from "node:crypto";
import { lstatSync, readFileSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import type { Manifest, ManifestEntry } from "../manifest.ts";
import type { LocalRoot } from "../root.ts";
import { META_DIR, checkLinkTarget, joinRelative } from "../safe-path.ts";
import type { ScanFilter } from "../scan.ts";
import { throwIfAborted } from "../streams.ts";

/** Files up to this size are hashed here; a larger new or changed file leaves the folder to `scan`, which streams it. */
const SMALL_FILE = 1 << 20;

/**
 * The manifest of a whole folder, built with synchronous calls, one folder
 * per turn of the event loop: a stat per entry, and for a small file the
 * index does not know (new, or changed since it was hashed) one read and a
 * sha256, recorded in the index as `scan` records it. A folder of thousands
 * of small files then costs its system calls, not a promise and a
 * thread-pool round trip for each. `undefined` at the first large new or
 * changed file: `root.manifest("")` then builds it. Entries, links (checked
 * as `scan` checks them) and ignore rules are those of `scan`.
 */
export async function quickManifest(root: LocalRoot, filter: ScanFilter | undefined, signal?: AbortSignal): Promise<Manifest | undefined> {
  await root.index.load();
  const base = realpathSync(root.dir);
  const top = lstatSync(base);
  const entries: ManifestEntry[] = [{ type: "dir", path: "", mode: top.mode & 0o7777, mtimeMs: top.mtimeMs }];
  const pending = [""];
  while (pending.length > 0) {
    throwIfAborted(signal);
    const dir = pending.pop()!;
    const names = readdirSync(join(base, dir)).filter((name) => dir !== "" || name !== META_DIR);
    const lookedAt = Date.now();
    const stats = names.map((name) => lstatSync(join(base, dir, name)));
    const left = filter ? await filter(dir, names.map((name, i) => ({ name, isDir: stats[i]!.isDirectory() }))) : undefined;
    for (const [i, name] of names.entries()) {
      if (left?.[i]) continue;
      const st = stats[i]!;
      const path = joinRelative(dir, name);
      if (st.isSymbolicLink()) {
        const target = readlinkSync(join(base, path));
        checkLinkTarget("scan", base, path, target);
        entries.push({ type: "symlink", path, target });
      } else if (st.isFile()) {
        let hash = root.index.get(path, st);
        if (hash === undefined) {
          if (st.size > SMALL_FILE) return undefined;
          hash = createHash("sha256").update(readFileSync(join(base, path))).digest("hex");
          root.index.set(path, st, hash, lookedAt);
        }
        entries.push({ type: "file", path, size: st.size, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, hash });
      } else if (st.isDirectory()) {
        entries.push({ type: "dir", path, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs });
        pending.push(path);
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  await root.index.save();
  return { version: 1, entries: entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}
