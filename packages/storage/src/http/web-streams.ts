/** Between the engine's async iterables of bytes and the web streams of `fetch` and `Response`. */

/**
 * A web stream over an async iterable, pulled one chunk at a time; cancelling
 * it ends the iterable (closing its file or request). `onError` hears the
 * iterable's own failure, which `fetch` would otherwise report as a bare
 * "fetch failed".
 */
export function toWebStream(body: AsyncIterable<Uint8Array>, onError?: (err: unknown) => void): ReadableStream<Uint8Array> {
  let it: AsyncIterator<Uint8Array> | undefined;
  let taken = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Taken by a transport that writes the source itself: this stream is never read.
        if (taken) return;
        sources.delete(stream);
        it ??= body[Symbol.asyncIterator]();
        try {
          const next = await it.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (err) {
          onError?.(err);
          controller.error(err);
        }
      },
      async cancel() {
        if (taken) return;
        sources.delete(stream);
        await (it ?? body[Symbol.asyncIterator]()).return?.();
      },
    },
    { highWaterMark: 1 },
  );
  sources.set(stream, {
    iterable: body,
    onError,
    take: () => {
      taken = true;
    },
  });
  return stream;
}

/** The source of a stream made by `toWebStream` and not read yet. */
export interface StreamSource {
  readonly iterable: AsyncIterable<Uint8Array>;
  readonly onError?: (err: unknown) => void;
  readonly take?: () => void;
}

const sources = new WeakMap<ReadableStream<Uint8Array>, StreamSource>();

/**
 * The iterable under a stream made by `toWebStream`, for a transport that
 * writes it without web streams; taken once, and only before the stream is read.
 */
export function sourceOf(stream: ReadableStream<Uint8Array>): StreamSource | undefined {
  const source = sources.get(stream);
  sources.delete(stream);
  source?.take?.();
  return source;
}

/**
 * The chunks of a web stream. When the consumer stops early, or `signal`
 * fires, the stream is cancelled; a fired signal is thrown as its reason.
 * `onEnd` is called once it is over, whichever way.
 */
export async function* fromWebStream(
  stream: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
  onEnd?: () => void,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (err) {
        done = true; // an errored stream needs no cancelling
        if (signal?.aborted) throw signal.reason;
        throw err;
      }
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
    onEnd?.();
  }
}

/** Reads a whole body of at most `limit` bytes, or calls `tooLarge` and cancels it. */
export async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number, tooLarge: () => Error): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of fromWebStream(stream)) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    parts.push(chunk);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
