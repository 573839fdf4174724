/**
 * The controller's WebSocket to an agent's work channel, on the runtime the
 * flow runs on: the `ws` package on Node (which may carry it over a given
 * stream, an ssh2 forward), the global WebSocket on Bun and Deno (over a
 * URL: a local port that forwards to the agent).
 */
import type { Duplex } from "node:stream";
import { runtimeKind } from "@lit-app/runtime";
import { AGENT_SUBPROTOCOL, subprotocolsFor } from "../request-token.ts";

/**
 * A text frame up to this many characters leaves the controller in one write.
 * `ws` masks a string into a buffer of its own and writes the frame's header
 * and its payload apart (two writes, corked), which an ssh2 forward, having no
 * writev, sends as two SSH packets: each encrypted, written and woken up for by
 * sshd and the agent. Given a Buffer (which it must not change), `ws` masks it
 * into one buffer with the header: one write, one packet. Bigger frames keep
 * the string path (one copy fewer of a large state).
 */
const ONE_WRITE_CHARS = 64 * 1024;

/** Where the agent's channel is: its URL, and on Node optionally the stream that carries the connection. */
export interface AgentEndpoint {
  /** `ws://127.0.0.1:<port>/v1/channel` (with a stream, only its path and Host header matter). */
  url: string;
  /** A connected byte stream to the agent's port (an ssh2 forward); Node only. */
  stream?: Duplex;
}

/** What the executor is told about its socket. */
export interface ChannelSocketHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  /** Once, when the socket is closed or could not be opened. */
  onClose(why: string): void;
}

/** An open (or opening) channel socket. */
export interface ChannelSocket {
  send(text: string): void;
  /** Ends the socket at once (a dead link: no closing handshake is waited for). */
  terminate(): void;
}

/**
 * Opens the channel socket. On Node `token` is sent as a bearer token; the
 * global WebSocket (Bun, Deno) carries it as a subprotocol, the standard API's
 * one way to (see request-token.ts), and the socket opens only when the agent
 * answered that protocol.
 */
export async function openChannelSocket(
  endpoint: AgentEndpoint,
  token: string,
  maxBytes: number,
  handlers: ChannelSocketHandlers,
): Promise<ChannelSocket> {
  let closed = false;
  const closeOnce = (why: string) => {
    if (closed) return;
    closed = true;
    handlers.onClose(why);
  };
  const headers = { authorization: `Bearer ${token}` };
  if (runtimeKind() === "node") {
    const { WebSocket } = await import("ws");
    const stream = endpoint.stream;
    const ws = new WebSocket(endpoint.url, {
      headers,
      maxPayload: maxBytes,
      perMessageDeflate: false,
      ...(stream ? { createConnection: () => stream as never } : {}),
    });
    ws.on("open", () => handlers.onOpen());
    // A socket given up (terminated on a dead link) says nothing more: over an ssh2 forward its
    // channel still delivers what was in flight once the link is back, after the executor has moved on.
    ws.on("message", (data, isBinary) => {
      if (!isBinary && !closed) handlers.onMessage(data.toString());
    });
    ws.on("error", (error) => closeOnce(error.message));
    ws.on("close", (code, reason) => closeOnce(reason.toString() || `closed (${code})`));
    ws.on("unexpected-response", (_req, res) => {
      closeOnce(`the agent answered ${res.statusCode} ${res.statusMessage ?? ""}`.trim());
      ws.terminate();
    });
    return {
      send: (text) => ws.send(text.length <= ONE_WRITE_CHARS ? Buffer.from(text) : text, { binary: false }),
      terminate: () => {
        ws.terminate();
        closeOnce("closed");
      },
    };
  }
  if (endpoint.stream) throw new Error("a channel over a given stream needs Node's ws package; on Bun and Deno give the agent's URL (a local forwarded port)");
  const ws = new WebSocket(endpoint.url, subprotocolsFor(token));
  ws.addEventListener("open", () => {
    if (ws.protocol === AGENT_SUBPROTOCOL) return handlers.onOpen();
    closeOnce(`${endpoint.url} answered the subprotocol "${ws.protocol}", not "${AGENT_SUBPROTOCOL}": it is not a lit agent's channel`);
    ws.close();
  });
  ws.addEventListener("message", (event) => {
    if (typeof event.data === "string" && !closed) handlers.onMessage(event.data);
  });
  ws.addEventListener("error", () => closeOnce("the WebSocket failed"));
  ws.addEventListener("close", (event) => closeOnce(event.reason || `closed (${event.code})`));
  return {
    send: (text) => ws.send(text),
    terminate: () => {
      ws.close();
      closeOnce("closed");
    },
  };
}
