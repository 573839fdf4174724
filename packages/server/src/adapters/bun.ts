/** Serving on Bun through Bun.serve, WebSockets through hono/bun. */
import { upgradeWebSocket, websocket } from "hono/bun";
import type { ServeAdapter } from "./types.ts";

interface BunServer {
  port: number;
  stop(closeActive?: boolean): Promise<void> | void;
}
declare const Bun: { serve(options: object): BunServer };

/** The Bun adapter. */
export function bunAdapter(): ServeAdapter {
  return {
    upgradeWebSocket,
    async listen(fetch, hostname, port) {
      const server = Bun.serve({ fetch, hostname, port, websocket });
      return { port: server.port, close: async () => void (await server.stop(true)) };
    },
  };
}
