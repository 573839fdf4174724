/** Serving on Node through @hono/node-server, WebSockets through @hono/node-ws. */
import { serve } from "@hono/node-server";
import { createNodeWebSocket } from "@hono/node-ws";
import type { Hono } from "hono";
import type { AddressInfo } from "node:net";
import type { Server, ServerResponse } from "node:http";
import type { WebSocket } from "ws";
import type { ServeAdapter } from "./types.ts";

/** The Node adapter; `app` is the Hono app whose upgrade requests it handles. */
export function nodeAdapter(app: Hono<any>): ServeAdapter {
  const ws = createNodeWebSocket({ app });
  return {
    upgradeWebSocket: ws.upgradeWebSocket,
    listen(fetch, hostname, port) {
      return new Promise((resolve, reject) => {
        const server = serve({ fetch, hostname, port }) as Server;
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
    bufferedAmount: (socket) => (socket.raw as WebSocket).bufferedAmount,
    terminate: (socket) => (socket.raw as WebSocket).terminate(),
    // @hono/node-server reads a streamed body only when the socket drains: an errored stream would wait too;
    // the closed socket cancels the stream
    abortResponse: (c) => (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing?.destroy(),
  };
}
