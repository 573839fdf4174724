/** Serving on Node through @hono/node-server, WebSockets through @hono/node-ws. */
import { serve } from "@hono/node-server";
import { createNodeWebSocket } from "@hono/node-ws";
import type { Hono } from "hono";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { ServeAdapter } from "./types.ts";

/**
 * The Node adapter. `app` is asked for lazily (on each upgrade request), so the
 * adapter can exist before the app whose routes use its `upgradeWebSocket`.
 */
export function nodeAdapter(app: () => Hono<any>): ServeAdapter {
  const ws = createNodeWebSocket({ app: { request: (...args: Parameters<Hono["request"]>) => app().request(...args) } as Hono<any> });
  return {
    upgradeWebSocket: ws.upgradeWebSocket,
    listen(fetch, hostname, port) {
      return new Promise((resolve, reject) => {
        // noDelay: small responses leave at once instead of waiting for the peer's delayed ACK (40 ms through a tunnel)
        const server = serve({ fetch, hostname, port, serverOptions: { noDelay: true, keepAliveTimeout: 65_000 } }) as Server;
        server.once("error", reject);
        server.once("listening", () => {
          server.off("error", reject);
          ws.injectWebSocket(server);
          resolve({
            port: (server.address() as AddressInfo).port,
            close: () =>
              new Promise<void>((done) => {
                for (const client of ws.wss.clients) client.terminate();
                server.close(() => done());
                server.closeAllConnections();
              }),
          });
        });
      });
    },
  };
}
