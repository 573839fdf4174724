/// <reference types="bun-types" />
/** Serving on Bun through Bun.serve, WebSockets through hono/bun. */
import { upgradeWebSocket, websocket } from "hono/bun";
import type { ServeAdapter } from "./types.ts";

/** The Bun adapter (Bun's server sets TCP_NODELAY on the sockets it accepts). */
export function bunAdapter(): ServeAdapter {
  return {
    upgradeWebSocket,
    async listen(fetch, hostname, port) {
      const server = Bun.serve({ fetch: (request, bunServer) => fetch(request, bunServer), hostname, port, websocket });
      // `port` is undefined only for a server on a unix socket, which this one is not
      return { port: server.port ?? port, close: async () => void (await server.stop(true)) };
    },
  };
}
