/**
 * Writing a file whole or not at all: the bytes go to a temp name beside the
 * file (same folder, so the same file system), are flushed to disk, and the
 * temp file is renamed over the target. A reader sees the old file or the new
 * one, never half of it, even when the process is killed or the disk fills up
 * in between; the temp file is removed when writing it fails.
 *
 * Importing it is cheap (every work's thread does, through runtimeKind()): no
 * node:crypto, and node:fs or node:fs/promises only once a write happens,
 * since Bun compiles those afresh in each worker thread.
 */

/** Options of {@link writeFileAtomic} and {@link writeFileAtomicSync}. */
export interface AtomicWriteOptions {
  /** The new file's permission bits (before the umask), e.g. `0o600` for a file holding a secret. Default `0o644`. */
  mode?: number;
}

/** The temp name beside `file`: `<file>.<random>.tmp`, so that a leftover one is recognisable. */
export function atomicTempName(file: string): string {
  return `${file}.${Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString("hex")}.tmp`;
}

const bytesOf = (data: Uint8Array | string): Uint8Array => (typeof data === "string" ? Buffer.from(data, "utf8") : data);

/**
 * Writes `data` (bytes, or a string as UTF-8) to `file` whole or not at all.
 * The folder must exist. Errors are the file system's own (`ENOSPC`, `EACCES`,
 * `ENOENT` for a missing folder...), with nothing left behind.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const { open, rename, unlink } = await import("node:fs/promises");
  const temp = atomicTempName(file);
  const handle = await open(temp, "wx", options.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(bytesOf(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** {@link writeFileAtomic}, synchronously (for exit handlers and code that may not yield). */
export function writeFileAtomicSync(file: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } = process.getBuiltinModule("node:fs");
  const bytes = bytesOf(data);
  const temp = atomicTempName(file);
  const fd = openSync(temp, "wx", options.mode ?? 0o644);
  try {
    try {
      let done = 0;
      while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {}
    throw error;
  }
}
