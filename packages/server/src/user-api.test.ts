import * as L from "@lit-app/core";
import { afterEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { RouteConfigError } from "./errors.ts";
import { RequestsFlow } from "./test-support/fixtures.ts";
import { get, post } from "./test-support/http.ts";
import { serveApp, until, type ServedApp } from "./test-support/serve-app.ts";

let served: ServedApp | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

const stateOf = async () => (await get(`${served!.url}/api/v1/state`)).body;

describe("configureApi() routes", () => {
  test("a flow method validates its body, runs in the flow's loop, and the flow re-runs on its change", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const res = await post(`${served.url}/api/requests`, { name: "alice" });
    expect(res).toEqual({ status: 200, body: { queued: 1 } });
    await until(async () => (await stateOf()).components["root.counter"].vars.count === 1, "the flow to pass the request to its work");
    expect((await stateOf()).components.root.vars).toEqual({ requests: [{ name: "alice" }], handled: 1 });
    expect(served.server.routes).toContainEqual({ method: "POST", route: "/api/requests", flow: "root" });
  });

  test("a body that does not match the schema gets a 400 with zod's message and changes nothing", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const wrong = await post(`${served.url}/api/requests`, { name: 42 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("E_VALIDATION");
    expect(wrong.body.error.message).toContain("invalid body of POST /api/requests:");
    expect(wrong.body.error.message).toMatch(/expected string, received number\s+→ at name/);
    const empty = await post(`${served.url}/api/requests`, { name: "" });
    expect(empty.status).toBe(400);
    expect((await stateOf()).components.root.vars.requests).toEqual([]);
  });

  test("path parameters reach the handler, and an HttpError becomes its status", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    await post(`${served.url}/api/requests`, { name: "bob" });
    expect(await get(`${served.url}/api/requests/bob`)).toMatchObject({ status: 200, body: { name: "bob" } });
    const missing = await get(`${served.url}/api/requests/eve`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: "E_HTTP", message: 'no request named "eve"' });
  });

  test("a plain function runs in the server; what it throws is a 500 with its message", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    expect(await get(`${served.url}/api/ping`)).toMatchObject({ status: 200, body: { pong: true, seen: 0 } });
    const boom = await post(`${served.url}/api/boom`, {});
    expect(boom.status).toBe(500);
    expect(boom.body.error.message).toBe("the handler broke");
  });

  test("a handler that throws null answers 500 with a message saying what was thrown", async () => {
    class Careless extends L.LightningFlow {
      run() {}
      oops() {
        throw null;
      }
      override configureApi() {
        return [new L.Post("/api/oops", this.oops)];
      }
    }
    served = await serveApp(new L.LightningApp(new Careless()));
    const res = await post(`${served.url}/api/oops`, {});
    expect(res.status).toBe(500);
    expect(res.body.error.message).toContain("null was thrown, not an Error");
    expect((await get(`${served.url}/api/v1/status`)).body.stage).toBe("running");
  });

  test("a GET route's schema validates the query string", async () => {
    class Search extends L.LightningFlow {
      run() {}
      find(query: { q: string; limit: number }) {
        return { q: query.q, limit: query.limit };
      }
      override configureApi() {
        return [new L.Get("/api/search", this.find, { body: z.object({ q: z.string(), limit: z.coerce.number().int().max(50) }) })];
      }
    }
    served = await serveApp(new L.LightningApp(new Search()));
    expect((await get(`${served.url}/api/search?q=cats&limit=5`)).body).toEqual({ q: "cats", limit: 5 });
    const bad = await get(`${served.url}/api/search?q=cats&limit=500`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("limit");
  });

  test("routes of child flows are served; a route on the server's own paths is refused at start", async () => {
    class Child extends L.LightningFlow {
      run() {}
      override configureApi() {
        return [new L.Get("/api/child", () => ({ from: this.name }))];
      }
    }
    class Parent extends L.LightningFlow {
      child = new Child();
      run() {}
    }
    served = await serveApp(new L.LightningApp(new Parent()));
    expect((await get(`${served.url}/api/child`)).body).toEqual({ from: "root.child" });
    await served.stop();
    served = undefined;

    class Clash extends L.LightningFlow {
      run() {}
      override configureApi() {
        return [new L.Get("/api/v1/state", () => 1)];
      }
    }
    await expect(serveApp(new L.LightningApp(new Clash()))).rejects.toThrow(RouteConfigError);
    await expect(serveApp(new L.LightningApp(new Clash()))).rejects.toThrow(/root\.configureApi\(\): GET \/api\/v1\/state clashes/);
  });
});

describe("configureApi() bodies and what handlers store are bounded like state", () => {
  class Notes extends L.LightningFlow {
    notes: unknown[] = [];
    run() {}
    add(body: unknown) {
      this.notes.push(body);
      return { count: this.notes.length };
    }
    override configureApi() {
      return [new L.Post("/api/notes", this.add)];
    }
  }

  test("a body nested deeper than maxDepth is 400 before it is parsed; a handler nesting a value too deep in state throws 400 there", async () => {
    served = await serveApp(new L.LightningApp(new Notes(), { limits: { maxDepth: 6 } }));
    const deep = await post(`${served.url}/api/notes`, "[".repeat(50_000) + "]".repeat(50_000));
    expect(deep.status).toBe(400);
    expect(deep.body.error).toMatchObject({ code: "E_STATE_LIMIT", limit: "depth" });
    // Six levels are a valid body, but stored one level down (in notes[0]) they pass the limit.
    const stored = await post(`${served.url}/api/notes`, [[[[[["x"]]]]]]);
    expect(stored.status).toBe(400);
    expect(stored.body.error).toMatchObject({ code: "E_STATE_LIMIT", limit: "depth", component: "root", field: "notes[0]" });
    expect(await post(`${served.url}/api/notes`, { a: 1 })).toEqual({ status: 200, body: { count: 1 } });
    expect((await stateOf()).components.root.vars.notes).toEqual([{ a: 1 }]);
  });

  test("a handler's write that would take the state past maxStateBytes is 413, and is not made", async () => {
    served = await serveApp(new L.LightningApp(new Notes(), { limits: { maxStateBytes: 32 * 1024 } }));
    expect((await post(`${served.url}/api/notes`, { text: "a".repeat(20_000) })).status).toBe(200);
    const over = await post(`${served.url}/api/notes`, { text: "b".repeat(20_000) });
    expect(over.status).toBe(413);
    expect(over.body.error).toMatchObject({ code: "E_STATE_LIMIT", limit: "stateBytes" });
    expect((await stateOf()).components.root.vars.notes).toHaveLength(1);
  });
});
