import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";

/** Bytes per read: large enough for throughput, small enough to keep memory flat. */
export const CHUNK_SIZE = 1 << 20;

/** Throws the signal's reason if it has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error("aborted");
}

/**
 * Reads `fh` from `start` up to `end` (or its end) in fresh chunks (a consumer
 * may keep them), checking `signal` between reads. One read runs ahead while
 * the consumer works on the current chunk. Does not close the handle.
 */
export async function* readChunks(
  fh: FileHandle,
  start: number,
  signal?: AbortSignal,
  end = Number.POSITIVE_INFINITY,
): AsyncGenerator<Uint8Array> {
  const readAt = async (position: number): Promise<Uint8Array> => {
    const want = Math.min(CHUNK_SIZE, end - position);
    const buffer = Buffer.allocUnsafe(want);
    const { bytesRead } = await fh.read(buffer, 0, want, position);
    return bytesRead === want ? buffer : buffer.subarray(0, bytesRead);
  };
  let position = start;
  let next = position < end ? readAt(position) : undefined;
  try {
    while (next) {
      throwIfAborted(signal);
      const chunk = await next;
      if (chunk.byteLength === 0) return;
      position += chunk.byteLength;
      next = position < end ? readAt(position) : undefined;
      yield chunk;
    }
  } finally {
    // A stream abandoned early leaves a read in flight: let it end before the handle closes.
    await next?.catch(() => {});
  }
}

/**
 * Streams a file from `start` to the end it has when opened. The file is
 * opened when the first chunk is asked for and closed when the stream ends or
 * is abandoned, so a stream that is never read holds no file handle.
 */
export async function* readFile(path: string, start: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const fh = await open(path, "r");
  try {
    // Knowing the end keeps buffers no larger than the file: small files are many.
    const { size } = await fh.stat();
    yield* readChunks(fh, start, signal, size);
  } finally {
    await fh.close();
  }
}

/** Writes all of `chunk` at `position`, looping over short writes. */
export async function writeAt(fh: FileHandle, chunk: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < chunk.byteLength) {
    const { bytesWritten } = await fh.write(chunk, done, chunk.byteLength - done, position + done);
    done += bytesWritten;
  }
}

/** Writes all of `chunks`, one after the other, at `position` with one call when the system takes them all. */
export async function writevAt(fh: FileHandle, chunks: readonly Uint8Array[], position: number): Promise<void> {
  const total = chunks.reduce((sum, c) => sum + c.byteLength, 0);
  const { bytesWritten } = await fh.writev(chunks as Uint8Array[], position);
  if (bytesWritten === total) return;
  // A short write: the rest chunk by chunk.
  let at = 0;
  for (const chunk of chunks) {
    const end = at + chunk.byteLength;
    if (end > bytesWritten) {
      const from = Math.max(0, bytesWritten - at);
      await writeAt(fh, chunk.subarray(from), position + at + from);
    }
    at = end;
  }
}

/** Passes chunks through, reporting each one's length to `onBytes`. */
export async function* countBytes(
  body: AsyncIterable<Uint8Array>,
  onBytes: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    onBytes(chunk.byteLength);
    yield chunk;
  }
}

/** Collects a stream into one buffer (for small blobs only). */
export async function collect(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts);
}
