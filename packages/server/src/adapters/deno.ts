/// <reference types="deno" />
/** Serving on Deno through Deno.serve, WebSockets through hono/deno. */
import { upgradeWebSocket } from "hono/deno";
import type { ServeAdapter } from "./types.ts";

/** The Deno adapter. */
export function denoAdapter(): ServeAdapter {
  return {
    upgradeWebSocket,
    async listen(fetch, hostname, port) {
      try {
        const server = Deno.serve({ hostname, port, onListen: () => {} }, fetch);
        return { port: server.addr.port, close: () => server.shutdown() };
      } catch (error) {
        if ((error as { name?: string }).name === "AddrInUse") throw Object.assign(new Error(String(error)), { code: "EADDRINUSE" });
        throw error;
      }
    },
    bufferedAmount: (ws) => (ws.raw as WebSocket).bufferedAmount,
    // Deno's WebSocket has no abrupt close: the closing frame goes after what is queued (at most the bound)
    terminate: (ws, code, reason) => (ws.raw as WebSocket).close(code, reason),
    // an errored body would reset the connection but Deno prints whatever error it is given: end it instead
    abortResponse: (_c, body) => body.close(),
  };
}
