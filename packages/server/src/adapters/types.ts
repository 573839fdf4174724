/** The port a runtime adapter serves: WebSocket upgrades, listening on a socket, and live clients' buffers. */
import type { Context } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";

/** A bound server. */
export interface Listening {
  /** The port actually bound. */
  port: number;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
}

/** What the server needs from the runtime it runs on. */
export interface ServeAdapter {
  /** Hono's WebSocket upgrade helper for this runtime. */
  upgradeWebSocket: UpgradeWebSocket<any>;
  /**
   * Binds `hostname:port` and serves `fetch`.
   * @throws an error whose `code` is `EADDRINUSE` when the port is taken.
   */
  listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<Listening>;
  /** Bytes sent to a WebSocket that its connection has not taken yet (queued in this process). */
  bufferedAmount(ws: WSContext): number;
  /**
   * Ends a WebSocket whose client reads too slowly: at once, dropping what is
   * queued for it, where the runtime can (Node, Bun); else (Deno) with a
   * closing frame after what is queued, and nothing more is sent.
   */
  terminate(ws: WSContext, code: number, reason: string): void;
  /**
   * Ends a streamed response (server-sent events) whose client reads too
   * slowly, quietly: at once, dropping what is queued, where the runtime can
   * (Node, Bun); else (Deno) after what is queued, and nothing more is sent.
   */
  abortResponse(c: Context, body: ReadableStreamDefaultController<Uint8Array>): void;
}
