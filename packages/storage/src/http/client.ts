import type { z } from "zod";
import { StorageError } from "../errors.ts";
import { HttpError, TooLargeError } from "./errors.ts";
import { isNode, nodeFetch, takeNodeBody, type NodeFetchInit } from "./node-fetch.ts";
import { readAhead } from "./read-ahead.ts";
import { fromWebStream, readLimited } from "./web-streams.ts";
import { DEFAULT_LIMITS, decodeError, errorAnswer } from "./wire.ts";
import type { StorageLimits } from "./wire.ts";

/** A `fetch`-like function: the global one, or one that goes through a tunnel. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Where the storage routes are and how to reach them. */
export interface HttpClientOptions {
  /** The routes' base URL, e.g. `http://127.0.0.1:7070/storage`. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Makes the requests; on Node a `fetch` made on `node:http` by default (bodies stream without web streams), elsewhere the global one. */
  readonly fetch?: FetchLike;
  /** Name in messages; `agent` by default. */
  readonly name?: string;
  /** Limits on what is sent and taken back; see `DEFAULT_LIMITS`. */
  readonly limits?: Partial<StorageLimits>;
}

/** Extra of one request. */
export interface CallInit {
  readonly headers?: Record<string, string>;
  readonly body?: RequestInit["body"];
  readonly signal?: AbortSignal;
  /** The request body's own failure (a source that broke), reported instead of the transport's. */
  readonly bodyError?: () => unknown;
  /** The exact length of a streamed body, when known: sent as its Content-Length where the fetch takes it (see {@link NodeFetchInit}). */
  readonly bodyLength?: number;
}

/** Requests to the storage routes, with errors turned back into storage errors. */
export class HttpClient {
  readonly name: string;
  readonly location: string;
  readonly limits: StorageLimits;
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #fetch: FetchLike;
  readonly #releases = new WeakMap<Response, () => void>();

  constructor(options: HttpClientOptions) {
    this.#base = options.url.replace(/\/+$/, "");
    this.location = this.#base;
    this.name = options.name ?? "agent";
    this.#token = options.token;
    this.#fetch = options.fetch ?? (isNode() ? nodeFetch : (input, init) => fetch(input, init));
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  /** Sends a request; an error answer throws the storage error it carries. `ok` lists other accepted statuses. */
  async call(method: string, path: string, init: CallInit = {}, ok: readonly number[] = []): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    const request = `${method} ${path.split("?")[0]}`;
    const link = linkSignal(init.signal);
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}${path}`, {
        method,
        headers,
        body: init.body,
        signal: link.signal,
        ...(init.body instanceof ReadableStream ? { duplex: "half" } : {}),
        ...(init.bodyLength !== undefined ? { bodyLength: init.bodyLength } : {}),
      } as NodeFetchInit);
    } catch (err) {
      link.release();
      if (init.signal?.aborted) throw init.signal.reason;
      const own = init.bodyError?.();
      if (own !== undefined) throw own;
      throw new HttpError(this.name, this.location, request, describe(err), { cause: err });
    }
    if (res.ok || ok.includes(res.status)) {
      this.#releases.set(res, link.release);
      return res;
    }
    try {
      throw await this.#errorOf(res, request);
    } finally {
      link.release();
    }
  }

  /**
   * The bytes of an answer, streamed. A connection that drops (or ends before
   * `length` bytes, when known) is an `HttpError` saying after how many bytes;
   * a fired `signal` is thrown as its reason.
   */
  async *bytes(res: Response, request: string, signal?: AbortSignal, length?: number): AsyncGenerator<Uint8Array> {
    let got = 0;
    const message = takeNodeBody(res);
    const chunks = message ? fromNodeStream(message, signal, () => this.done(res)) : fromWebStream(res.body ?? new ReadableStream(), signal, () => this.done(res));
    try {
      for await (const chunk of chunks) {
        got += chunk.byteLength;
        yield chunk;
      }
    } catch (err) {
      if (signal?.aborted || err instanceof StorageError) throw err;
      throw new HttpError(this.name, this.location, request, `the connection dropped after ${got} bytes of the answer: ${describe(err)}`, { cause: err });
    }
    if (length !== undefined && Number.isSafeInteger(length) && got < length) {
      throw new HttpError(this.name, this.location, request, `the answer ended after ${got} of its ${length} bytes`);
    }
  }

  /** Stops following the caller's signal for a response whose body was read or dropped. */
  done(res: Response): void {
    this.#releases.get(res)?.();
    this.#releases.delete(res);
  }

  /** Sends a request and validates its JSON answer with `schema`. */
  async json<T>(method: string, path: string, schema: z.ZodType<T>, init: CallInit = {}, maxBytes = 16 * 1024 * 1024): Promise<T> {
    const res = await this.call(method, path, init);
    let value: unknown;
    try {
      value = await this.readJson(res, `${method} ${path.split("?")[0]}`, maxBytes);
    } finally {
      this.done(res);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new HttpError(this.name, this.location, `${method} ${path.split("?")[0]}`, `unexpected answer: ${parsed.error.issues[0]?.message ?? ""}`);
    }
    return parsed.data;
  }

  /** A JSON answer of at most `maxBytes`. */
  async readJson(res: Response, request: string, maxBytes: number): Promise<unknown> {
    const bytes = await readLimited(res.body, maxBytes, () => new TooLargeError(this.name, `the answer to ${request}`, `${maxBytes} bytes`));
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (err) {
      throw new HttpError(this.name, this.location, request, "the answer is not JSON", { status: res.status, cause: err });
    }
  }

  async #errorOf(res: Response, request: string): Promise<StorageError> {
    const text = await res.text().catch(() => "");
    if (res.status === 401 || res.status === 403) {
      return new HttpError(this.name, this.location, request, "the token was refused (check the agent's token)", { status: res.status });
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const parsed = errorAnswer.safeParse(value);
    if (parsed.success) return decodeError(this.name, this.location, parsed.data.error, res.status);
    return new HttpError(this.name, this.location, request, `HTTP ${res.status} ${text.slice(0, 200)}`, { status: res.status });
  }
}

/**
 * Bytes of an answer read ahead of its consumer: when the answer is relayed
 * into an upload to another host, the answer keeps arriving while the upload
 * waits for room, instead of both links taking turns.
 */
const READ_AHEAD_BYTES = 8 * 1024 * 1024;

/** Like `fromWebStream`, for a Node stream: destroyed when the consumer stops early or `signal` fires. */
async function* fromNodeStream(message: NodeJS.ReadableStream & { destroy(error?: Error): void }, signal: AbortSignal | undefined, onEnd: () => void): AsyncGenerator<Uint8Array> {
  let done = false;
  const onAbort = () => message.destroy();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (signal?.aborted) throw signal.reason;
    for await (const chunk of readAhead(message, READ_AHEAD_BYTES, "the answer")) {
      if (signal?.aborted) throw signal.reason;
      yield chunk;
    }
    if (signal?.aborted) throw signal.reason;
    done = true;
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!done) message.destroy();
    onEnd();
  }
}

/** A transport failure in words: `fetch failed` alone says nothing. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) return `${err.message} (${(cause as { code?: string }).code ?? ""} ${cause.message})`.replace("( ", "(");
  return err.message;
}

/**
 * A signal of one request that follows the caller's: `fetch` keeps a listener
 * on the signal it is given until the request is collected, and a sync of
 * thousands of files would pile them up on its one signal.
 */
function linkSignal(outer: AbortSignal | undefined): { signal: AbortSignal | undefined; release: () => void } {
  if (!outer) return { signal: undefined, release: () => {} };
  const inner = new AbortController();
  if (outer.aborted) inner.abort(outer.reason);
  const forward = () => inner.abort(outer.reason);
  outer.addEventListener("abort", forward, { once: true });
  return { signal: inner.signal, release: () => outer.removeEventListener("abort", forward) };
}
