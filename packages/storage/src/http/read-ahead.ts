/**
 * The chunks of a Node stream taken as they arrive, with 'data' events, not
 * with the stream's own async iterator: that one reads whatever is buffered
 * in one `read()`, which copies several chunks into a new buffer each time
 * its consumer was slower than the socket (an upload whose disk write took a
 * moment, an answer relayed into a slower link).
 */

/**
 * The chunks of `stream`, queued as they arrive up to `limit` bytes (the
 * stream is paused beyond it); its error comes after the chunks that arrived
 * before it, and a stream that closes before its end is an error naming
 * `what` ("the answer"). A consumer that stops early destroys the stream, as
 * the stream's own async iterator would.
 */
export async function* readAhead(stream: NodeJS.ReadableStream & { destroy?(error?: Error): void }, limit: number, what: string): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = [];
  let queued = 0;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const onData = (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.byteLength;
    if (queued >= limit) stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: unknown) => {
    failure ??= { error };
    notify();
  };
  // A stream destroyed before it ended (a dropped connection) closes without an error.
  const onClose = () => {
    if (!ended) failure ??= { error: new Error(`the connection closed before ${what} ended`) };
    notify();
  };
  stream.on("data", onData);
  stream.on("end", onEnd);
  stream.on("error", onError);
  stream.on("close", onClose);
  let done = false;
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        queued -= chunk.byteLength;
        if (queued < limit && stream.isPaused()) stream.resume();
        yield chunk;
        continue;
      }
      if (ended) return void (done = true);
      if (failure) throw failure.error;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off("data", onData);
    stream.off("end", onEnd);
    stream.off("error", onError);
    stream.off("close", onClose);
    if (!done) stream.destroy?.();
  }
}
