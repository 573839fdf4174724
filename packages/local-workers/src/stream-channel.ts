/**
 * A {@link WorkChannel} over a pair of byte streams: a child process's stdio
 * today, an SSH channel later. One JSON message per line. A line that is not
 * JSON is delivered as the string it was, so that the protocol's parser
 * reports it (naming the work) instead of the channel failing.
 */
import type { WorkChannel } from "./channel.ts";

/** Options of {@link streamChannel}. */
export interface StreamChannelOptions {
  /** The longest line taken, in characters; a longer one is dropped and reported as a string. Default 256 MiB. */
  maxLineChars?: number;
  /** Called once when the input ends (the other end closed it, or its process ended). */
  onEnd?(): void;
}

/** A channel that reads messages from `input` and writes them with `write`. */
export function streamChannel(
  input: AsyncIterable<Uint8Array | string>,
  write: (text: string) => void,
  options: StreamChannelOptions = {},
): WorkChannel {
  const max = options.maxLineChars ?? 256 * 2 ** 20;
  const listeners: ((message: unknown) => void)[] = [];
  const early: unknown[] = [];
  let closed = false;
  const deliver = (message: unknown) => {
    if (closed) return;
    if (listeners.length === 0) early.push(message);
    for (const l of listeners) l(message);
  };
  const line = (text: string) => {
    if (text === "") return;
    try {
      deliver(JSON.parse(text));
    } catch {
      deliver(text);
    }
  };
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    let skipping = false;
    try {
      for await (const chunk of input) {
        buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
          if (!skipping) line(buffer.slice(0, nl));
          skipping = false;
          buffer = buffer.slice(nl + 1);
        }
        if (buffer.length > max) {
          if (!skipping) deliver(`(a line of over ${max} characters, dropped)`);
          skipping = true;
          buffer = "";
        }
      }
      if (!skipping) line(buffer + decoder.decode());
    } finally {
      options.onEnd?.();
    }
  })();
  return {
    send: (message) => {
      if (!closed) write(`${JSON.stringify(message)}\n`);
    },
    onMessage(listener) {
      listeners.push(listener);
      for (const message of early.splice(0)) listener(message);
    },
    close() {
      closed = true;
    },
  };
}
