/**
 * Sends what a work prints to the flow's side, a line at a time, where it is
 * shown prefixed with the work's name: the console's printing methods and
 * what is written to `process.stdout` / `process.stderr` (which in a worker
 * thread would otherwise reach the app's own output, unnamed). Text without
 * a newline waits for the rest of its line, until the work's call ends
 * ({@link flushOutput}) or {@link PARTIAL_LINE_MS} pass.
 *
 * node:util (the console's formatting) is loaded at the first print, and the
 * work's `process.stdout` / `process.stderr` are made at their first use on
 * Bun: a Bun worker thread builds them afresh, and most works never print.
 */
import { runtimeKind } from "@lit-app/runtime";

type Stream = "stdout" | "stderr";

const METHODS: Record<string, Stream> = {
  log: "stdout",
  info: "stdout",
  debug: "stdout",
  warn: "stderr",
  error: "stderr",
  trace: "stderr",
};

/** How long text without a newline waits for the rest of its line, ms. */
export const PARTIAL_LINE_MS = 100;

let flushPartial: () => void = () => undefined;

/** Sends the text printed without a newline so far as a line of its own (before a call's result, at stop, at exit). */
export function flushOutput(): void {
  flushPartial();
}

/** Replaces the console's printing methods and the standard streams' `write` with ones that call `emit` per line. */
export function captureConsole(emit: (stream: Stream, line: string) => void): void {
  const partial: Record<Stream, string> = { stdout: "", stderr: "" };
  const decoders: Record<Stream, TextDecoder> = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  let timer: ReturnType<typeof setTimeout> | undefined;
  flushPartial = () => {
    clearTimeout(timer);
    timer = undefined;
    for (const stream of ["stdout", "stderr"] as const) {
      const line = partial[stream];
      partial[stream] = "";
      if (line) emit(stream, line);
    }
  };
  const print = (stream: Stream, text: string) => {
    const lines = (partial[stream] + text).split("\n");
    partial[stream] = lines.pop()!;
    for (const line of lines) emit(stream, line);
    if (partial[stream] && !timer) {
      timer = setTimeout(flushPartial, PARTIAL_LINE_MS);
      (timer as { unref?: () => void }).unref?.();
    }
  };
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, stream] of Object.entries(METHODS)) {
    target[method] = (...args: unknown[]) => {
      let text = process.getBuiltinModule("node:util").format(...args);
      if (method === "trace") text = `Trace: ${text}\n${new Error().stack?.split("\n").slice(2).join("\n") ?? ""}`;
      print(stream, `${text}\n`);
    };
  }
  for (const stream of ["stdout", "stderr"] as const) {
    const write = (chunk: unknown, ...rest: unknown[]) => {
      const encoding = typeof rest[0] === "string" ? (rest[0] as BufferEncoding) : undefined;
      const text =
        typeof chunk === "string"
          ? encoding && encoding !== "utf8" && encoding !== "utf-8"
            ? Buffer.from(chunk, encoding).toString()
            : chunk
          : decoders[stream].decode(chunk as Uint8Array, { stream: true });
      print(stream, text);
      const done = rest.find((arg) => typeof arg === "function") as (() => void) | undefined;
      if (done) queueMicrotask(done);
      return true;
    };
    if (runtimeKind() !== "bun") {
      // Node's worker keeps its own stdio streams (its parent calls into them when it wants more output):
      // only their write is replaced.
      (process[stream] as unknown as { write: typeof write }).write = write;
      continue;
    }
    // Made at the first use: Bun builds a thread's standard streams afresh (node:stream, node:tty, ~1.5 MB and
    // ~6 ms of CPU each thread), and most works never write to them.
    let made: NodeJS.WriteStream | undefined;
    // Bun keeps them as lazy properties that a redefinition builds first; an assignment replaces one unbuilt.
    (process as unknown as Record<string, unknown>)[stream] = undefined;
    Object.defineProperty(process, stream, {
      configurable: true,
      enumerable: true,
      get: () => (made ??= capturedStream(stream, write)),
      set: (value: NodeJS.WriteStream) => void (made = value),
    });
  }
}

/** A writable stream whose `write` is `write`: what a work's `process.stdout` / `process.stderr` are. */
function capturedStream(stream: Stream, write: (chunk: unknown, ...rest: unknown[]) => boolean): NodeJS.WriteStream {
  const { Writable } = process.getBuiltinModule("node:stream");
  const out = new Writable({ write: (chunk: unknown, encoding: BufferEncoding, done: () => void) => void write(chunk, encoding, done) });
  Object.assign(out, { write, fd: stream === "stdout" ? 1 : 2, isTTY: false });
  return out as unknown as NodeJS.WriteStream;
}
