import * as L from "@lit-app/core";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { DEFAULT_PORT, PortInUseError, ServerOptionError } from "./index.ts";
import { RequestsFlow } from "./test-support/fixtures.ts";
import { get } from "./test-support/http.ts";
import { serveApp, type ServedApp } from "./test-support/serve-app.ts";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function occupy(port = 0): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  return (server.address() as { port: number }).port;
}

async function served(options: Parameters<typeof serveApp>[1]): Promise<ServedApp> {
  const s = await serveApp(new L.LightningApp(new RequestsFlow()), options);
  cleanup.push(() => s.stop());
  return s;
}

describe("startAppServer", () => {
  test("listens on 127.0.0.1:7501 by default, or the next free port", async () => {
    const s = await served({ port: undefined });
    expect(s.server.port).toBeGreaterThanOrEqual(DEFAULT_PORT);
    expect(s.url).toBe(`http://127.0.0.1:${s.server.port}`);
    expect((await get(`${s.url}/api/v1/state`)).status).toBe(200);
  });

  test("takes the next free port when the one asked for is taken, unless strictPort", async () => {
    const taken = await occupy();
    const s = await served({ port: taken });
    expect(s.server.port).toBeGreaterThan(taken);
    await expect(serveApp(new L.LightningApp(new RequestsFlow()), { port: taken, strictPort: true })).rejects.toThrow(
      new PortInUseError(`port ${taken} on 127.0.0.1 is taken; stop what uses it or choose another port (--port).`),
    );
  });

  test("refuses a bad port", async () => {
    await expect(serveApp(new L.LightningApp(new RequestsFlow()), { port: 70000 })).rejects.toThrow(ServerOptionError);
  });

  test("close() ends live connections, stops listening, and can be called twice", async () => {
    const s = await serveApp(new L.LightningApp(new RequestsFlow()));
    const ws = new WebSocket(`${s.url.replace("http", "ws")}/api/v1/ws`);
    await new Promise((r) => ws.once("open", r));
    const closed = new Promise((r) => ws.once("close", r));
    await Promise.all([s.stop(), s.server.close()]);
    await closed;
    await expect(fetch(`${s.url}/api/v1/state`)).rejects.toThrow();
  });
});
