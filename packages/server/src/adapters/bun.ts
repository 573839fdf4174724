/// <reference types="bun-types" />
/** Serving on Bun through Bun.serve, WebSockets through hono/bun. */
import { upgradeWebSocket, websocket } from "hono/bun";
import type { ServerWebSocket } from "bun";
import type { ServeAdapter } from "./types.ts";

/** The Bun adapter. */
export function bunAdapter(): ServeAdapter {
  return {
    upgradeWebSocket,
    async listen(fetch, hostname, port) {
      // Bun's own limit (16 MiB by default) would drop messages silently past it: the server's bound
      // (maxClientBuffer) decides, and should it ever be passed, closing beats losing changes
      const server = Bun.serve({ fetch, hostname, port, websocket: { ...websocket, backpressureLimit: 1024 ** 3, closeOnBackpressureLimit: true } });
      // `port` is undefined only for a server on a unix socket, which this one is not
      return { port: server.port ?? port, close: async () => void (await server.stop(true)) };
    },
    bufferedAmount: (ws) => (ws.raw as ServerWebSocket).getBufferedAmount(),
    terminate: (ws) => (ws.raw as ServerWebSocket).terminate(),
    // an errored body resets the connection; Bun prints the error unless there is none
    abortResponse: (_c, body) => body.error(undefined),
  };
}
