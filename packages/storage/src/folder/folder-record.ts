import { writeFileAtomic } from "@lit-app/runtime";
import { createHash } from "node:crypto";
import type { Stats } from "node:fs";
import { lstatSync } from "node:fs";
import { mkdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod";
import { isErrno } from "../errors.ts";
import { META_DIR } from "../safe-path.ts";

/** One file (or link) of a pushed folder as the host wrote it: path, size, mtime, ctime, inode, and a file's content hash (`""` for a link). */
export type RecordedFile = [path: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, hash: string];

const recordSchema = z.strictObject({
  version: z.literal(2),
  target: z.string().max(4096),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.array(z.tuple([z.string().max(4096), z.number(), z.number(), z.number(), z.number(), z.string().max(64)])),
});

/** A target's record: the digest last pushed there and its files as written. */
export type FolderRecord = z.infer<typeof recordSchema>;

/** Files checked between two turns of the event loop, so a check does not hold up other requests for long. */
const SLICE = 2000;

/** Where the record of a target lives in the root. */
function recordFile(rootDir: string, target: string): string {
  return join(rootDir, META_DIR, "folders", `${createHash("sha256").update(target).digest("hex").slice(0, 40)}.json`);
}

/** The line of a file as `st` describes it. */
export function recordOf(path: string, st: Stats, hash: string): RecordedFile {
  return [path, st.size, st.mtimeMs, st.ctimeMs, st.ino, hash];
}

/** Whether a file's stat is the one recorded. */
export function sameAsRecorded(st: Stats | undefined, r: RecordedFile): boolean {
  return st !== undefined && st.size === r[1] && st.mtimeMs === r[2] && st.ctimeMs === r[3] && st.ino === r[4];
}

/**
 * Remembers which manifest was last pushed to a target and how its files
 * were left (size, mtime, ctime, inode), so that "is it still so?" costs a
 * stat per file on the host, not a read. Only a cache: a missing or bad
 * record makes the next push send its manifest.
 */
export async function writeFolderRecord(rootDir: string, target: string, digest: string, files: RecordedFile[], maxBytes: number): Promise<void> {
  const text = JSON.stringify({ version: 2, target, digest, files });
  if (text.length > maxBytes) return;
  const file = recordFile(rootDir, target);
  await mkdir(join(rootDir, META_DIR, "folders"), { recursive: true });
  await writeFileAtomic(file, text);
}

/** Forgets a target's record (before its files change). */
export async function dropFolderRecord(rootDir: string, target: string): Promise<void> {
  await unlink(recordFile(rootDir, target)).catch((err: unknown) => {
    if (!isErrno(err, "ENOENT")) throw err;
  });
}

/** A target's record, or `undefined` when there is none, or none usable. */
export async function readFolderRecord(rootDir: string, target: string, maxBytes: number): Promise<FolderRecord | undefined> {
  let text: string;
  try {
    text = await readFile(recordFile(rootDir, target), "utf8");
  } catch (err) {
    if (isErrno(err, "ENOENT")) return undefined;
    throw err;
  }
  if (text.length > maxBytes) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = recordSchema.safeParse(value);
  return parsed.success && parsed.data.target === target ? parsed.data : undefined;
}

/**
 * The digest last pushed to `target` and whether every file of it is still
 * as the push left it (same size, mtime, ctime and inode); `digest: null`
 * when there is no usable record.
 */
export async function checkFolderRecord(rootDir: string, target: string, maxBytes: number): Promise<{ digest: string | null; intact: boolean }> {
  const record = await readFolderRecord(rootDir, target, maxBytes);
  if (!record) return { digest: null, intact: false };
  const base = join(rootDir, target);
  const files = record.files;
  for (let i = 0; i < files.length; i += SLICE) {
    if (i > 0) await new Promise((r) => setImmediate(r));
    for (const r of files.slice(i, i + SLICE)) {
      if (!sameAsRecorded(lstatSync(join(base, r[0]), { throwIfNoEntry: false }), r)) return { digest: record.digest, intact: false };
    }
  }
  return { digest: record.digest, intact: true };
}
