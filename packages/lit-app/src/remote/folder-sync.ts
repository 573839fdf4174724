/**
 * The app's folder on a host: the files `.gitignore` and `.litignore` keep
 * (and never `.git/`, `.lit/`, `node_modules/`) sent over the host's SSH
 * connection, only those whose content the host does not have, so that a
 * CommandWork there finds `train.py` beside the app. What the host has is a
 * manifest beside the folder (path → sha256, size, mode), written last.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, posix } from "node:path";
import { ignoreFilter } from "@lit-app/storage";
import type { SshHost } from "@lit-app/ssh";
import { z } from "zod";

/** What a sync of the app's folder did. */
export interface FolderSyncReport {
  /** Files in the folder (after the ignore files). */
  files: number;
  /** Files sent (their content was new to the host). */
  sent: number;
  bytesSent: number;
}

const MANIFEST_LIMIT = 16 << 20;
const MAX_FILES = 20_000;
const manifestSchema = z.record(z.string().max(4096), z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative(), mode: z.number().int() }));
type Manifest = z.infer<typeof manifestSchema>;

/** The files of `dir` that the ignore files keep, relative with `/`. */
async function listFiles(dir: string): Promise<string[]> {
  const filter = ignoreFilter(dir, { patterns: [".git/", ".lit/", "node_modules/"] });
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    const entries = (await readdir(join(dir, rel), { withFileTypes: true })).filter((e) => e.isFile() || e.isDirectory());
    const left = await filter(rel, entries.map((e) => ({ name: e.name, isDir: e.isDirectory() })));
    for (const [i, e] of entries.entries()) {
      if (left[i]) continue;
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(path);
      else out.push(path);
      if (out.length > MAX_FILES) throw new Error(`the app's folder ${dir} has more than ${MAX_FILES} files to send; leave out what works do not need with a .litignore`);
    }
  }
  await walk("");
  return out.sort();
}

/**
 * Makes `remoteDir` (under the host user's home, e.g. `~/.lit/apps/x`) hold the
 * files of `localDir` that its ignore files keep. Files deleted here stay there.
 */
export async function syncAppFolder(host: SshHost, localDir: string, remoteDir: string): Promise<FolderSyncReport> {
  const manifestPath = `${remoteDir}.manifest.json`;
  const q = (p: string) => (p.startsWith("~/") ? `"$HOME"/'${p.slice(2).replace(/'/g, "'\\''")}'` : `'${p.replace(/'/g, "'\\''")}'`);
  const [files, previous] = await Promise.all([
    listFiles(localDir),
    host.exec(`cat ${q(manifestPath)} 2>/dev/null || true`, { maxOutputBytes: MANIFEST_LIMIT }).then((r): Manifest => {
      try {
        return manifestSchema.parse(JSON.parse(r.stdout.toString()));
      } catch {
        return {};
      }
    }),
  ]);
  const next: Manifest = {};
  let sent = 0;
  let bytesSent = 0;
  for (const path of files) {
    const full = join(localDir, path);
    const [bytes, info] = await Promise.all([readFile(full), stat(full)]);
    const entry = { sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length, mode: info.mode & 0o777 };
    next[path] = entry;
    const had = previous[path];
    if (had && had.sha256 === entry.sha256 && had.mode === entry.mode) continue;
    await host.upload(posix.join(remoteDir, path), bytes, { mode: entry.mode });
    sent++;
    bytesSent += bytes.length;
  }
  if (sent > 0 || Object.keys(previous).length !== files.length) await host.upload(manifestPath, JSON.stringify(next), { mode: 0o600 });
  return { files: files.length, sent, bytesSent };
}
