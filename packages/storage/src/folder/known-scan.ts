import { lstatSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import type { Manifest, ManifestEntry } from "../manifest.ts";
import type { LocalRoot } from "../root.ts";
import { META_DIR, checkLinkTarget, joinRelative } from "../safe-path.ts";
import type { ScanFilter } from "../scan.ts";
import { throwIfAborted } from "../streams.ts";

/**
 * The manifest of a whole folder whose every file the root's index already
 * knows (unchanged since it was hashed), built with a synchronous stat per
 * entry, one folder per turn of the event loop: a repeated sync of thousands
 * of files then spends its time in the system calls, not in a promise and a
 * thread-pool round trip for each. `undefined` as soon as one file is new or
 * changed: `root.manifest("")` then builds it, hashing what it must. Entries,
 * links (checked as `scan` checks them) and ignore rules are those of `scan`.
 */
export async function manifestIfKnown(root: LocalRoot, filter: ScanFilter | undefined, signal?: AbortSignal): Promise<Manifest | undefined> {
  await root.index.load();
  const base = realpathSync(root.dir);
  const top = lstatSync(base);
  const entries: ManifestEntry[] = [{ type: "dir", path: "", mode: top.mode & 0o7777, mtimeMs: top.mtimeMs }];
  const pending = [""];
  while (pending.length > 0) {
    throwIfAborted(signal);
    const dir = pending.pop()!;
    const names = readdirSync(join(base, dir)).filter((name) => dir !== "" || name !== META_DIR);
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
        const hash = root.index.get(path, st);
        if (hash === undefined) return undefined;
        entries.push({ type: "file", path, size: st.size, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, hash });
      } else if (st.isDirectory()) {
        entries.push({ type: "dir", path, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs });
        pending.push(path);
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  return { version: 1, entries: entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}
