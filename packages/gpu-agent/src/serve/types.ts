/** The port a runtime adapter serves: WebSocket upgrades and a listening socket. */
import type { UpgradeWebSocket } from "hono/ws";

/** A bound server. */
export interface Listening {
  /** The port actually bound. */
  port: number;
  /** Stops accepting, ends open connections (WebSockets included) and resolves when the port is free. */
  close(): Promise<void>;
}

/** What the agent needs from the runtime it runs on (Node or Bun). */
export interface ServeAdapter {
  /** Hono's WebSocket upgrade helper for this runtime: routes use it as `app.get(path, upgradeWebSocket(...))`. */
  upgradeWebSocket: UpgradeWebSocket<any>;
  /**
   * Binds `hostname:port` (port 0: a free one) and serves `fetch`, with Nagle's
   * algorithm off on every accepted socket.
   * @throws an error whose `code` is `EADDRINUSE` when the port is taken.
   */
  listen(fetch: (request: Request, env?: unknown) => Response | Promise<Response>, hostname: string, port: number): Promise<Listening>;
}
