/**
 * A server-sent events response whose queue is bounded: a client that reads
 * more slowly than messages come is dropped (its response is cut) once more
 * than its bound is waiting, instead of growing the server's memory.
 */
import type { Context } from "hono";
import type { ServeAdapter } from "./adapters/types.ts";

/** How one event stream runs. */
export interface EventStreamOptions {
  /** Bytes that may wait for the client beyond what `start` sent at once (e.g. the state snapshot). */
  maxBuffer: number;
  adapter: ServeAdapter;
  /** Closers of the server's live connections; the stream adds its own while it runs. */
  closers: Set<() => void>;
}

/**
 * An SSE response fed by `start(push)` until the client leaves, reads too
 * slowly, or the server closes. `start` returns the function that stops feeding.
 */
export function eventStream(c: Context, start: (push: (json: string) => void) => () => void, options: EventStreamOptions): Response {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let stop: () => void = () => {};
  let ended = false;
  // what `start` sends at once (the state, past log lines) is let through whatever its size
  let bound = Number.POSITIVE_INFINITY;
  // with a high-water mark of 0, -desiredSize is the bytes queued and not yet taken by the connection
  const queued = () => -(controller.desiredSize ?? 0);
  const end = () => {
    if (ended) return;
    ended = true;
    stop();
    options.closers.delete(close);
  };
  const close = () => {
    end();
    controller.close();
  };
  const push = (json: string) => {
    if (ended) return;
    if (queued() > bound) {
      end();
      options.adapter.abortResponse(c, controller);
      return;
    }
    controller.enqueue(encoder.encode(`data: ${json}\n\n`));
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(ctl) {
        controller = ctl;
        stop = start(push);
        bound = options.maxBuffer + queued();
        options.closers.add(close);
      },
      cancel() {
        end();
      },
    },
    { highWaterMark: 0, size: (chunk) => chunk?.byteLength ?? 0 },
  );
  return c.body(body, 200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "transfer-encoding": "chunked",
    connection: "keep-alive",
  });
}
