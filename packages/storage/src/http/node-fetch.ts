/**
 * A `fetch` for Node made on `node:http`: Node's built-in `fetch` moves every
 * chunk of a body through web streams and promises, which costs about as much
 * CPU as the SSH cipher when a blob streams from one agent to another. Bodies
 * here go from socket to consumer (and from source to socket) as Node streams;
 * a `Response` is still returned, so small answers are read as usual.
 */
import http from "node:http";
import https from "node:https";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { sourceOf } from "./web-streams.ts";

/**
 * What {@link nodeFetch} takes besides `RequestInit`. `bodyLength`: the exact
 * length of a streamed body, sent as its Content-Length instead of chunked
 * framing (whose chunk headers an SSH channel would carry as packets of their
 * own); a body that turns out longer or shorter fails the request. Other
 * fetches ignore it.
 */
export interface NodeFetchInit extends RequestInit {
  bodyLength?: number;
}

/** Kept-alive connections, reused across requests (one per request in flight). */
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** The Node message under a `Response` made here, until its web body is touched. */
const messages = new WeakMap<Response, { message: IncomingMessage; taken: boolean }>();

/** Whether this runtime is Node itself (not Bun or Deno, whose `fetch` is their own). */
export function isNode(): boolean {
  const g = globalThis as { Bun?: unknown; Deno?: unknown; process?: { versions?: { node?: string } } };
  return g.Bun === undefined && g.Deno === undefined && typeof g.process?.versions?.node === "string";
}

/**
 * The body of a `Response` made by {@link nodeFetch} as a Node stream, taken
 * once and only while its web body is unread; `undefined` otherwise.
 */
export function takeNodeBody(res: Response): IncomingMessage | undefined {
  const held = messages.get(res);
  if (!held || held.taken) return undefined;
  held.taken = true;
  return held.message;
}

/** `fetch(input, init)` over `node:http(s)`; a body made by `toWebStream` is written straight from its source. */
export function nodeFetch(input: string, init: NodeFetchInit = {}): Promise<Response> {
  return request(input, init, undefined);
}

/** How long a connection made by {@link nodeFetchOver} is kept idle for the next request. */
const IDLE_MS = 2000;

/**
 * A `fetch` like {@link nodeFetch} whose connections are the streams `connect`
 * opens (an SSH channel to the agent's port) instead of TCP connections: the
 * bytes of a request or an answer then go from the channel to the consumer
 * without crossing a local listener and a second socket in this process.
 * Connections are kept for the next request while idle for up to 2 s.
 * The URL's host and port only name the server in the request.
 *
 * @example
 * const fetch = nodeFetchOver(() => sshHost.forward(agentPort));
 * const root = httpRoot({ url: `http://127.0.0.1:${agentPort}/v1/storage`, token, fetch });
 */
export function nodeFetchOver(connect: () => Promise<Duplex>): (input: string, init?: NodeFetchInit) => Promise<Response> {
  const agent = new StreamAgent(connect);
  return (input, init = {}) => request(input, init, agent);
}

type PooledStream = Duplex & { idle?: ReturnType<typeof setTimeout> };

/** An `http.Agent` whose sockets are streams opened by `connect`, kept alive between requests. */
class StreamAgent extends http.Agent {
  readonly #connect: () => Promise<Duplex>;

  constructor(connect: () => Promise<Duplex>) {
    super({ keepAlive: true, maxSockets: 64 });
    this.#connect = connect;
  }

  override createConnection(_options: unknown, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    this.#connect().then(
      (stream) => {
        // What `http` asks of a socket besides a stream's methods.
        const socket = stream as Duplex & Record<string, unknown>;
        for (const name of ["setNoDelay", "setKeepAlive", "ref", "unref"]) socket[name] ??= () => socket;
        socket.setTimeout ??= () => socket;
        stream.on("close", () => clearTimeout((stream as PooledStream).idle));
        callback?.(null, stream);
      },
      (err: unknown) => callback?.(err instanceof Error ? err : new Error(String(err)), undefined as unknown as Duplex),
    );
    return undefined;
  }

  override keepSocketAlive(socket: PooledStream): boolean {
    clearTimeout(socket.idle);
    socket.idle = setTimeout(() => socket.destroy(), IDLE_MS);
    socket.idle.unref?.();
    return true;
  }

  override reuseSocket(socket: PooledStream, req: http.ClientRequest): void {
    clearTimeout(socket.idle);
    socket.idle = undefined;
    (req as { reusedSocket: boolean }).reusedSocket = true;
  }
}

function request(input: string, init: NodeFetchInit, over: http.Agent | undefined): Promise<Response> {
  const url = new URL(input);
  const secure = url.protocol === "https:" && over === undefined;
  if (!secure && url.protocol !== "http:") return Promise.reject(new TypeError(`nodeFetch: unsupported protocol ${url.protocol}`));
  const method = (init.method ?? "GET").toUpperCase();
  const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
  const body = init.body ?? null;
  let fixed: Uint8Array | undefined;
  let source: ReturnType<typeof sourceOf>;
  if (typeof body === "string") fixed = Buffer.from(body);
  else if (body instanceof Uint8Array) fixed = body;
  else if (body instanceof ReadableStream) source = sourceOf(body) ?? { iterable: body as unknown as AsyncIterable<Uint8Array> };
  else if (body !== null) return Promise.reject(new TypeError("nodeFetch: only string, Uint8Array and stream bodies are sent"));
  const length = source && Number.isSafeInteger(init.bodyLength) && init.bodyLength! >= 0 ? init.bodyLength : undefined;
  if (fixed) headers["content-length"] = String(fixed.byteLength);
  else if (length !== undefined) headers["content-length"] = String(length);
  else if (!source && method !== "GET" && method !== "HEAD") headers["content-length"] = "0";

  const signal = init.signal ?? undefined;
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const req = (secure ? https : http).request(url, { method, headers, agent: over ?? (secure ? agents.https : agents.http) });
    let answered = false;
    const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    const unlisten = () => signal?.removeEventListener("abort", onAbort);
    req.on("socket", (socket) => socket.setNoDelay?.(true));
    req.on("error", (err) => {
      if (!answered) {
        unlisten();
        reject(signal?.aborted ? signal.reason : err);
      }
    });
    req.on("response", (message) => {
      answered = true;
      // The caller's signal still stops a body being read.
      message.on("close", unlisten);
      const status = message.statusCode ?? 0;
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(message.headers)) {
        if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
        else if (value !== undefined) responseHeaders.set(name, value);
      }
      const empty = method === "HEAD" || status === 204 || status === 304;
      const held = { message, taken: false };
      let it: AsyncIterator<Buffer> | undefined;
      const web = empty
        ? null
        : new ReadableStream<Uint8Array>({
            async pull(controller) {
              held.taken = true;
              it ??= message[Symbol.asyncIterator]();
              const next = await it.next();
              if (next.done) controller.close();
              else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
            },
            cancel() {
              message.destroy();
            },
          });
      if (empty) message.resume();
      const res = new Response(web, { status, statusText: message.statusMessage ?? "", headers: responseHeaders });
      if (!empty) messages.set(res, held);
      resolve(res);
    });
    if (fixed) {
      req.end(fixed);
    } else if (source) {
      void writeAll(req, source.iterable, length).then(
        () => {
          if (!req.destroyed) req.end();
        },
        (err: unknown) => {
          source?.onError?.(err);
          req.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
    } else {
      req.end();
    }
  });
}

/**
 * Writes `body` into `req`, waiting for the socket to drain; stops when the
 * request is gone. With `length` (its Content-Length), a body of another
 * length throws: the request is then ended unfinished, never with bytes
 * that would be read as the next request on its connection.
 */
async function writeAll(req: http.ClientRequest, body: AsyncIterable<Uint8Array>, length?: number): Promise<void> {
  let written = 0;
  for await (const chunk of body) {
    if (req.destroyed) return;
    written += chunk.byteLength;
    if (length !== undefined && written > length) throw new Error(`the request body is longer than its declared ${length} bytes`);
    if (!req.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          req.off("drain", done);
          req.off("close", done);
          resolve();
        };
        req.on("drain", done);
        req.on("close", done);
      });
    }
  }
  if (length !== undefined && written < length && !req.destroyed) throw new Error(`the request body ended after ${written} of its declared ${length} bytes`);
}
