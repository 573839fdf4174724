import * as L from "@lit-app/core";
import { afterEach, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { RequestsFlow } from "../test-support/fixtures.ts";
import { serveApp, until, type ServedApp } from "../test-support/serve-app.ts";
import { connect, type AppClient } from "./client.js";

let served: ServedApp | undefined;
const clients: AppClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await served?.stop();
  served = undefined;
});

async function client(options: Parameters<typeof connect>[1] = {}): Promise<AppClient> {
  const c = await connect(served!.url, { WebSocket, ...options });
  clients.push(c);
  return c;
}

const appState = () => served!.engine.stateDocument().components.root!.vars as { requests: { name: string }[]; [k: string]: unknown };

describe("the browser client", () => {
  for (const transport of ["WebSocket", "server-sent events"] as const) {
    test(`reads the state and follows the app's changes (${transport})`, async () => {
      served = await serveApp(new L.LightningApp(new RequestsFlow()));
      const app = await client(transport === "WebSocket" ? {} : { WebSocket: undefined });
      expect(app.connected).toBe(true);
      expect(app.stage).toBe("running");
      expect(app.state.requests).toEqual([]);
      const seen: number[] = [];
      app.subscribe((doc) => seen.push(doc.components["root.counter"]!.vars.count));
      served.engine.applyDelta([{ op: "replace", path: "/components/root/vars/requests", value: [{ name: "a" }, { name: "b" }] }]);
      await until(() => app.component("root.counter").count === 2, "the work's change");
      expect(app.state.handled).toBe(2);
      expect(seen.at(-1)).toBe(2);
    });
  }

  test("assigning a field sends a delta; the change shows at once and is applied by the app", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const app = await client();
    app.state.requests = [...app.state.requests, { name: "alice" }];
    expect(app.state.requests).toEqual([{ name: "alice" }]);
    await app.flush();
    expect(appState().requests).toEqual([{ name: "alice" }]);
    await until(() => app.state.handled === 1, "the flow's re-run");
  });

  test("nested writes, array methods and deletes become JSON Patch operations, one request per task", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const app = await client();
    let posts = 0;
    const fetch = app.fetch.bind(app);
    app.fetch = (path, init) => (path === "/api/v1/delta" && posts++, fetch(path, init));
    app.state.requests.push({ name: "a" });
    app.state.requests.push({ name: "b" }, { name: "c" });
    app.state.requests[1].done = true;
    app.state.requests.splice(0, 1);
    delete app.state.requests[0].done;
    expect(app.state.requests).toEqual([{ name: "b" }, { name: "c" }]);
    await app.flush();
    expect(posts).toBe(1);
    expect(appState().requests).toEqual([{ name: "b" }, { name: "c" }]);
  });

  test("a change the app refuses is undone in the client and reported", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const errors: string[] = [];
    const app = await client({ onError: (e) => errors.push(e.message) });
    app.state.counter = 5;
    expect(app.state.counter).toBe(5);
    await expect(app.flush()).rejects.toThrow("root.counter is a component, not a field");
    expect(errors).toEqual(['"/components/root/vars/counter": root.counter is a component, not a field']);
    expect(app.state.counter).toBeUndefined();
  });

  test("changes from two clients both land; each sees the other's", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const a = await client();
    const b = await client({ WebSocket: undefined });
    for (let i = 0; i < 20; i++) {
      a.state.requests.push({ name: `a${i}` });
      b.state.requests.push({ name: `b${i}` });
      await Promise.all([a.flush(), b.flush()]);
    }
    await until(() => a.state.requests.length === 40 && b.state.requests.length === 40, "both clients to see 40 requests");
    expect(JSON.stringify(a.state.requests)).toBe(JSON.stringify(appState().requests));
    expect(JSON.stringify(b.state.requests)).toBe(JSON.stringify(appState().requests));
    expect(new Set(appState().requests.map((r: { name: string }) => r.name)).size).toBe(40);
  });
});

class Blob extends L.LightningFlow {
  blob = "";
  run() {}
}

describe("a client that reads too slowly", () => {
  test("is dropped by the app past its bound, and gets the whole state again when it reconnects", async () => {
    served = await serveApp(new L.LightningApp(new Blob()), { maxClientBuffer: 64 * 1024 });
    const sockets: WebSocket[] = [];
    class Recorded extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    }
    const app = await client({ WebSocket: Recorded });
    const first = sockets[0]!;
    // the page stops reading (a frozen tab, a slow link): what the app sends piles up on the server's side
    first.pause();
    for (let i = 0; i < 400; i++) {
      served.engine.applyDelta([{ op: "replace", path: "/components/root/vars/blob", value: String(i).padEnd(64 * 1024, ".") }]);
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    first.resume();
    await until(() => sockets.length === 2 && app.connected && app.state.blob.startsWith("399."), "the client to reconnect and see the last change", 10_000);
    expect(first.readyState).toBe(WebSocket.CLOSED);
    expect(JSON.stringify(app.document)).toBe(JSON.stringify(served.engine.stateDocument()));
    // and it follows changes as before
    served.engine.applyDelta([{ op: "replace", path: "/components/root/vars/blob", value: "small" }]);
    await until(() => app.state.blob === "small", "the next change");
  });
});
