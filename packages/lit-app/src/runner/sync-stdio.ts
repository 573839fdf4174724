/**
 * Output of the app's thread on Node, written at once. A Node worker's
 * process.stdout hands what it writes to the main thread and waits for an
 * answer before it hands on more: a flow that then never returns would keep
 * its last lines (and the works' lines printed before) forever. Here they go
 * straight to the process's descriptors, in order, as in the main thread.
 */
import { writeSync } from "node:fs";
import process from "node:process";

const pause = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd: number, text: string | Uint8Array): void {
  let data = typeof text === "string" ? Buffer.from(text) : text;
  while (data.length > 0) {
    try {
      data = data.subarray(writeSync(fd, data));
    } catch (error) {
      // A pipe another process made non-blocking is full: wait for its reader.
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

/** Makes this thread's process.stdout and process.stderr write synchronously to descriptors 1 and 2. */
export function writeStdioSynchronously(): void {
  for (const [stream, fd] of [[process.stdout, 1], [process.stderr, 2]] as const) {
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
      const done = typeof encoding === "function" ? encoding : callback;
      try {
        writeAll(fd, typeof chunk === "string" && typeof encoding === "string" ? Buffer.from(chunk, encoding as BufferEncoding) : chunk);
      } catch {
        // The reader is gone (EPIPE): there is no one to tell.
      }
      if (typeof done === "function") queueMicrotask(() => (done as () => void)());
      return true;
    }) as typeof stream.write;
  }
}
