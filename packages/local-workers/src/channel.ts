/**
 * The two-way message channel a flow and a work talk over, whatever carries
 * it: a worker thread's port, a child process's IPC or stdio, a WebSocket.
 * Each implements it in a few lines (see {@link portChannel}); the protocol
 * (protocol.ts) knows nothing of the transport.
 */

/** One end of a channel. Messages are structured-clonable (JSON over a process or network). */
export interface WorkChannel {
  /** Sends one message to the other end. */
  send(message: unknown): void;
  /** Calls `listener` with every message from the other end, in the order sent. */
  onMessage(listener: (message: unknown) => void): void;
  /** Stops listening; messages still arriving are dropped. */
  close(): void;
}

/** What a Web `Worker`, a worker's global scope, a `MessagePort` (and Node's, through {@link nodePort}) offer. */
export interface PostEndpoint {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  start?(): void;
}

/** A channel over a worker thread's endpoint (a `Worker`, its global scope, or a `MessagePort`). */
export function portChannel(endpoint: PostEndpoint): WorkChannel {
  const listeners: ((event: { data: unknown }) => void)[] = [];
  let closed = false;
  return {
    send: (message) => {
      if (!closed) endpoint.postMessage(message);
    },
    onMessage(listener) {
      const l = (event: { data: unknown }) => {
        if (!closed) listener(event.data);
      };
      listeners.push(l);
      endpoint.addEventListener("message", l);
      endpoint.start?.();
    },
    close() {
      closed = true;
      for (const l of listeners.splice(0)) endpoint.removeEventListener("message", l);
    },
  };
}

/** Node's `Worker` and `parentPort` (event emitters) as a {@link PostEndpoint}. */
export function nodePort(port: {
  postMessage(message: unknown): void;
  on(event: "message", listener: (data: unknown) => void): unknown;
  off(event: "message", listener: (data: unknown) => void): unknown;
}): PostEndpoint {
  const wrapped = new Map<(event: { data: unknown }) => void, (data: unknown) => void>();
  return {
    postMessage: (message) => port.postMessage(message),
    addEventListener(_type, listener) {
      const l = (data: unknown) => listener({ data });
      wrapped.set(listener, l);
      port.on("message", l);
    },
    removeEventListener(_type, listener) {
      const l = wrapped.get(listener);
      if (l) port.off("message", l);
      wrapped.delete(listener);
    },
  };
}
