/** Serving on Bun through Bun.serve, WebSockets through hono/bun. */
import { upgradeWebSocket, websocket } from "hono/bun";
import type { ServeAdapter } from "./types.ts";

interface BunServer {
  port: number;
  stop(closeActive?: boolean): Promise<void> | void;
}
interface BunWebSocket {
  getBufferedAmount(): number;
  terminate(): void;
}
declare const Bun: { serve(options: object): BunServer };

/** The Bun adapter. */
export function bunAdapter(): ServeAdapter {
  return {
    upgradeWebSocket,
    async listen(fetch, hostname, port) {
      // Bun's own limit (16 MiB by default) would drop messages silently past it: the server's bound
      // (maxClientBuffer) decides, and should it ever be passed, closing beats losing changes
      const server = Bun.serve({ fetch, hostname, port, websocket: { ...websocket, backpressureLimit: 1024 ** 3, closeOnBackpressureLimit: true } });
      return { port: server.port, close: async () => void (await server.stop(true)) };
    },
    bufferedAmount: (ws) => (ws.raw as BunWebSocket).getBufferedAmount(),
    terminate: (ws) => (ws.raw as BunWebSocket).terminate(),
    // an errored body resets the connection; Bun prints the error unless there is none
    abortResponse: (_c, body) => body.error(undefined),
  };
}
