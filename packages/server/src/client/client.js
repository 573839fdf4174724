// @ts-check
/**
 * lit-app/client: connect a web page (or a Node script) to a running app,
 * read its state, follow its changes, and change it.
 *
 * Served by every app at `/client.js`; no build step:
 *
 *   <script type="module">
 *     import { connect } from "/client.js";
 *     const app = await connect();
 *     app.subscribe(() => render(app.state));
 *     app.state.requests = [...app.state.requests, { username: "alice" }]; // sends a delta
 *   </script>
 *
 * Changes made through `app.state` are seen at once in `app.state` and sent to
 * the app as one JSON Patch per task; the app's own changes arrive live.
 */
import { applyOps, clone, pointer } from "./patch.js";

/**
 * @typedef {{ op: "add" | "remove" | "replace", path: string, value?: unknown }} PatchOp
 * @typedef {{ kind: "flow" | "work", vars: Record<string, any>, status?: { stage: string, timestamp: number, reason?: string, message?: string }, compute?: { name: string }, url?: string }} ComponentDocument
 * @typedef {{ stage: string, components: Record<string, ComponentDocument> }} StateDocument
 * @typedef {{ ops: PatchOp[], id: string, seq?: number, sent: boolean }} Batch
 * @typedef {{ seq: number, component: string, stream: "stdout" | "stderr", line: string, time: number }} LogEntry
 * @typedef {object} ConnectOptions
 * @property {string} [token] the app's token, when it has one (in a page opened with ?token=, it is found by itself)
 * @property {string} [component] the component `state` stands for; default `root`
 * @property {boolean} [logs] also receive the lines components print (see `onLog`)
 * @property {any} [WebSocket] a WebSocket class (e.g. from the `ws` package); default the global one, else server-sent events
 * @property {(error: Error) => void} [onError] called when a change is refused; default console.error
 */

/**
 * Connects to a running app; resolves once its state has arrived.
 * @param {string} [url] the app's URL; default the page's origin
 * @param {ConnectOptions} [options]
 * @returns {Promise<AppClient>}
 */
export async function connect(url, options = {}) {
  const base = url ?? globalThis.location?.origin;
  if (!base) throw new TypeError("connect(url): give the app's URL, e.g. connect(\"http://127.0.0.1:7501\").");
  const client = new AppClient(base, options);
  await client.ready;
  return client;
}

/** A connection to a running app. Use {@link connect}. */
export class AppClient {
  /**
   * @param {string} url
   * @param {ConnectOptions} options
   */
  constructor(url, options) {
    this.url = url.replace(/\/+$/, "");
    this.options = options;
    /** @type {string | undefined} */
    this.token = options.token ?? tokenFromPage();
    /** @type {{ seq: number, state: StateDocument }} the app's state as last received */
    this.confirmed = { seq: -1, state: { stage: "not_started", components: {} } };
    /** @type {Batch[]} changes not yet seen back from the app */
    this.pending = [];
    this.id = Math.random().toString(36).slice(2, 10);
    this.batches = 0;
    /** @type {StateDocument | undefined} confirmed state plus pending changes */
    this.view = undefined;
    /** @type {Set<(state: StateDocument, ops: PatchOp[]) => void>} */
    this.listeners = new Set();
    /** @type {Set<(log: LogEntry) => void>} */
    this.logListeners = new Set();
    /** @type {Promise<void>} */
    this.sending = Promise.resolve();
    this.closed = false;
    /** True while the live connection is open. */
    this.connected = false;
    /** @type {() => void} */
    this.stopStream = () => {};
    /** @type {(value?: any) => void} */
    let resolve = () => {};
    /** Resolves when the first state has arrived. */
    this.ready = new Promise((r) => (resolve = r));
    this.resolveReady = resolve;
    this.open(0);
  }

  /** The whole state document (with this client's own changes not yet confirmed). Read it; change state through `state`. */
  get document() {
    if (!this.view) this.view = this.rebuild();
    return this.view;
  }

  /** The app's stage: `running`, `stopping`, `stopped`, `failed`. */
  get stage() {
    return this.document.stage;
  }

  /** The fields of the component given to `connect` (default `root`): read them, and assign to change the app. */
  get state() {
    return this.component(this.options.component ?? "root");
  }

  /**
   * The fields of one component, by dotted name: read them, assign to change them.
   * @param {string} name e.g. `root.notebooks.alice`
   * @returns {Record<string, any>}
   */
  component(name) {
    return this.proxy(["components", name, "vars"]);
  }

  /**
   * Calls `listener(state, ops)` after every change (the app's or this client's).
   * @param {(state: StateDocument, ops: PatchOp[]) => void} listener
   * @returns {() => void} unsubscribes
   */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls `listener` with each line a component prints (connect with `{ logs: true }`).
   * @param {(log: LogEntry) => void} listener
   */
  onLog(listener) {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  /**
   * Resolves when every change made so far was accepted by the app; rejects with the app's reason otherwise.
   * @returns {Promise<void>}
   */
  flush() {
    return this.sending;
  }

  /**
   * Sends a JSON Patch on the state document as it is (paths like `/components/root/vars/x`).
   * @param {PatchOp[]} ops
   */
  patch(ops) {
    for (const op of ops) this.queue(clone(op));
    return this.flush();
  }

  /**
   * fetch() on the app with its token: for routes of `configureApi()`.
   * @param {string} path
   * @param {RequestInit} [init]
   */
  fetch(path, init = {}) {
    const headers = new Headers(init.headers);
    if (this.token) headers.set("authorization", `Bearer ${this.token}`);
    return fetch(this.url + path, { ...init, headers });
  }

  /** Closes the connection. */
  close() {
    this.closed = true;
    this.stopStream();
  }

  // ---- changes ----

  /**
   * @param {string[]} base
   * @returns {any}
   */
  proxy(base) {
    const client = this;
    const target = () => {
      /** @type {any} */
      let node = client.document;
      for (const key of base) node = node?.[key];
      return node;
    };
    /** @param {string | symbol} key */
    const read = (key) => {
      const node = target();
      if (node === undefined || node === null) return undefined;
      const value = Reflect.get(node, key);
      if (typeof key === "symbol" || typeof value !== "object" || value === null) {
        return typeof value === "function" ? value.bind(client.proxy(base)) : value;
      }
      return client.proxy([...base, key]);
    };
    return new Proxy(/** @type {any} */ (Array.isArray(target()) ? [] : {}), {
      get(_t, key) {
        return read(key);
      },
      set(_t, key, value) {
        if (typeof key === "symbol") return false;
        const node = target();
        if (node === null || typeof node !== "object") throw new TypeError(`cannot set "${key}": ${pointer(base)} is not an object or array`);
        if (Array.isArray(node) && key === "length") {
          for (let i = node.length - 1; i >= Number(value); i--) client.queue({ op: "remove", path: pointer([...base, String(i)]) });
          return true;
        }
        const plain = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
        if (plain === undefined) {
          if (key in node) client.queue({ op: "remove", path: pointer([...base, key]) });
          return true;
        }
        if (Array.isArray(node) && Number(key) === node.length) {
          // an append: "-" keeps appends from several clients from clashing
          client.queue({ op: "add", path: pointer([...base, "-"]), value: plain });
          return true;
        }
        const exists = Array.isArray(node) ? Number(key) < node.length : Object.prototype.hasOwnProperty.call(node, key);
        client.queue({ op: exists ? "replace" : "add", path: pointer([...base, key]), value: plain });
        return true;
      },
      deleteProperty(_t, key) {
        const node = target();
        if (typeof key !== "symbol" && node && Object.prototype.hasOwnProperty.call(node, key)) {
          client.queue({ op: "remove", path: pointer([...base, key]) });
        }
        return true;
      },
      has(_t, key) {
        const node = target();
        return node !== null && typeof node === "object" && key in node;
      },
      ownKeys() {
        const node = target();
        return node && typeof node === "object" ? Reflect.ownKeys(node) : [];
      },
      getOwnPropertyDescriptor(_t, key) {
        const node = target();
        if (!node || typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
        if (Array.isArray(node) && key === "length") return { value: node.length, writable: true, enumerable: false, configurable: false };
        return { value: read(key), writable: true, enumerable: true, configurable: true };
      },
    });
  }

  /** @param {PatchOp} op */
  queue(op) {
    let batch = this.pending.at(-1);
    if (!batch || batch.sent) {
      batch = { ops: [], id: `${this.id}:${++this.batches}`, sent: false };
      this.pending.push(batch);
      const open = batch;
      this.sending = this.sending.catch(() => undefined).then(() => new Promise((r) => setTimeout(r, 0))).then(() => this.send(open));
    }
    // the view must be a copy before it is changed: with nothing pending it is the confirmed state itself
    if (this.view === undefined || this.view === this.confirmed.state) this.view = this.rebuild();
    applyOps(this.view, [op]);
    batch.ops.push(op);
    this.notify([op]);
  }

  /** @param {Batch} batch */
  async send(batch) {
    batch.sent = true;
    if (batch.ops.length === 0) return this.drop(batch);
    let response;
    try {
      response = await this.fetch("/api/v1/delta", {
        method: "POST",
        headers: { "content-type": "application/json", "x-lit-ack": batch.id },
        body: JSON.stringify({ patch: batch.ops }),
      });
    } catch (error) {
      this.drop(batch);
      throw this.refused(new Error(`the change could not be sent to ${this.url}: ${/** @type {Error} */ (error).message}`));
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      this.drop(batch);
      throw this.refused(new Error(body?.error?.message ?? `the app answered ${response.status}`));
    }
    batch.seq = body.seq;
    if (this.confirmed.seq >= /** @type {number} */ (batch.seq)) this.drop(batch);
  }

  /** @param {Error} error */
  refused(error) {
    (this.options.onError ?? ((e) => console.error(`[lit-app/client] ${e.message}`)))(error);
    return error;
  }

  /** @param {Batch} batch */
  drop(batch) {
    const i = this.pending.indexOf(batch);
    if (i === -1) return;
    this.pending.splice(i, 1);
    this.view = undefined;
    this.notify([]);
  }

  /** @returns {StateDocument} */
  rebuild() {
    if (this.pending.length === 0) return this.confirmed.state;
    const view = clone(this.confirmed.state);
    for (const batch of this.pending) {
      for (const op of batch.ops) {
        try {
          applyOps(view, [op]);
        } catch {
          // a change of ours that no longer fits the app's state: the app will refuse it too
        }
      }
    }
    return view;
  }

  /** @param {PatchOp[]} ops */
  notify(ops) {
    const state = this.document;
    for (const l of this.listeners) {
      try {
        l(state, ops);
      } catch (error) {
        console.error(error);
      }
    }
  }

  // ---- the live stream ----

  /** @param {any} message */
  receive(message) {
    if (message.type === "log") {
      for (const l of this.logListeners) l(message.log);
      return;
    }
    /** @type {PatchOp[]} */
    let ops = [];
    if (message.type === "state") {
      this.confirmed = { seq: message.seq, state: message.state };
      ops = [{ op: "replace", path: "", value: message.state }];
    } else if (message.type === "patch") {
      if (message.seq <= this.confirmed.seq) return;
      applyOps(this.confirmed.state, message.ops);
      this.confirmed.seq = message.seq;
      const own = message.ack && this.pending.find((b) => b.id === message.ack);
      if (own) own.seq = message.seq;
      ops = message.ops;
    } else return;
    this.pending = this.pending.filter((b) => b.seq === undefined || b.seq > this.confirmed.seq);
    this.view = undefined;
    this.notify(ops);
    this.resolveReady();
  }

  /** @param {number} attempt */
  open(attempt) {
    if (this.closed) return;
    const query = new URLSearchParams();
    if (this.token) query.set("token", this.token);
    if (this.options.logs) query.set("logs", "1");
    const qs = query.toString() ? `?${query}` : "";
    const WS = this.options.WebSocket ?? globalThis.WebSocket;
    const retry = () => {
      if (!this.closed) setTimeout(() => this.open(attempt + 1), Math.min(2000, 100 * 2 ** attempt));
    };
    if (WS) {
      const ws = new WS(`${this.url.replace(/^http/, "ws")}/api/v1/ws${qs}`);
      this.stopStream = () => ws.close();
      ws.onmessage = (/** @type {{ data: any }} */ e) => this.receive(JSON.parse(String(e.data)));
      ws.onopen = () => {
        attempt = 0;
        this.connected = true;
      };
      ws.onclose = () => {
        this.connected = false;
        retry();
      };
      return;
    }
    const abort = new AbortController();
    this.stopStream = () => abort.abort();
    this.fetch(`/api/v1/events${qs}`, { signal: abort.signal })
      .then(async (response) => {
        if (!response.ok || !response.body) throw new Error(`the app answered ${response.status}`);
        attempt = 0;
        this.connected = true;
        await readEvents(response.body, (data) => this.receive(JSON.parse(data)));
      })
      .catch(() => undefined)
      .finally(() => {
        this.connected = false;
        retry();
      });
  }
}

/**
 * Reads server-sent events' data lines.
 * @param {ReadableStream<Uint8Array>} body
 * @param {(data: string) => void} onData
 */
async function readEvents(body, onData) {
  const reader = body.pipeThrough(/** @type {TransformStream<Uint8Array, string>} */ (/** @type {unknown} */ (new TextDecoderStream()))).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data) onData(data);
    }
  }
}

/** The token of the page's URL (`?token=`), if any. */
function tokenFromPage() {
  const search = globalThis.location?.search;
  return search ? new URLSearchParams(search).get("token") ?? undefined : undefined;
}
