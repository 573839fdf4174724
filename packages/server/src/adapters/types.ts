/** The port a runtime adapter serves: WebSocket upgrades and listening on a socket. */
import type { UpgradeWebSocket } from "hono/ws";

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
}
