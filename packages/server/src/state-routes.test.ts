import * as L from "@lit-app/core";
import { AppEngine } from "@lit-app/core/internal";
import { afterEach, describe, expect, test } from "vitest";
import { RequestsFlow } from "./test-support/fixtures.ts";
import { nestsDeeperThan } from "./responses.ts";
import { get, post } from "./test-support/http.ts";
import { realClock } from "./test-support/real-clock.ts";
import { LoggingExecutor, serveApp, tempLitHome, until, type ServedApp } from "./test-support/serve-app.ts";
import { startAppServer } from "./start.ts";

let served: ServedApp;
afterEach(async () => served?.stop());

const stateOf = async () => (await get(`${served.url}/api/v1/state`)).body;

describe("GET /api/v1/state and /api/v1/status", () => {
  test("serve the stage and every component with its fields, status and compute", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    await until(async () => (await stateOf()).components["root.counter"].status.stage === "succeeded", "the counter's first call");
    const doc = await stateOf();
    expect(doc.stage).toBe("running");
    expect(doc.components.root).toEqual({ kind: "flow", vars: { requests: [], handled: 0 } });
    expect(doc.components["root.counter"]).toMatchObject({ kind: "work", vars: { count: 0 }, compute: { name: "gpu", gpus: 1 } });
    const status = (await get(`${served.url}/api/v1/status`)).body;
    expect(status).toMatchObject({ name: "app", stage: "running", works: { "root.counter": { status: { stage: "succeeded" }, compute: "gpu" } } });
  });
});

describe("POST /api/v1/delta", () => {
  test("applies a patch, and the flow re-runs on it and calls its work", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const res = await post(`${served.url}/api/v1/delta`, {
      patch: [
        { op: "add", path: "/components/root/vars/requests/-", value: { name: "a" } },
        { op: "add", path: "/components/root/vars/requests/-", value: { name: "b" } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    await until(async () => (await stateOf()).components["root.counter"].vars.count === 2, "the work to see both requests");
    expect((await stateOf()).components.root.vars).toEqual({ requests: [{ name: "a" }, { name: "b" }], handled: 2 });
  });

  test("a patch with one bad operation changes nothing and says which operation is wrong", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const before = await stateOf();
    const res = await post(`${served.url}/api/v1/delta`, {
      patch: [
        { op: "add", path: "/components/root/vars/requests/-", value: { name: "a" } },
        { op: "replace", path: "/components/root/vars/handled/here", value: 1 },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("E_PATCH");
    expect(res.body.error.message).toContain("operation 1");
    expect(await stateOf()).toEqual(before);
  });

  test("refuses writes outside vars, to private fields and to unknown components", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    for (const [path, words] of [
      ["/stage", "not writable"],
      ["/components/root/kind", "not writable"],
      ["/components/root/vars/_seen", "private"],
      ["/components/root.nope/vars/x", "no component"],
      ["/components/root/vars/counter", "is a component"],
    ] as const) {
      const res = await post(`${served.url}/api/v1/delta`, { patch: [{ op: "replace", path, value: 1 }] });
      expect(res.status, path).toBe(400);
      expect(res.body.error.message, path).toContain(words);
    }
  });

  test("a malformed body gets a 400 with zod's message; bad JSON, a wrong type and a big body are refused", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()), { maxBodySize: 2048 });
    const shape = await post(`${served.url}/api/v1/delta`, { patch: [{ op: "jump", path: 3 }] });
    expect(shape.status).toBe(400);
    expect(shape.body.error.code).toBe("E_VALIDATION");
    expect(shape.body.error.message).toMatch(/patch\[0\]\.op/);
    expect(shape.body.error.message).toMatch(/patch\[0\]\.path/);
    const noPatch = await post(`${served.url}/api/v1/delta`, { ops: [] });
    expect(noPatch.body.error.message).toMatch(/patch/);

    const json = await post(`${served.url}/api/v1/delta`, '{"patch": [');
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe("E_JSON");

    const text = await post(`${served.url}/api/v1/delta`, "{}", { "content-type": "text/plain" });
    expect(text.status).toBe(415);

    const big = await post(`${served.url}/api/v1/delta`, {
      patch: [{ op: "add", path: "/components/root/vars/requests/-", value: { name: "x".repeat(4000) } }],
    });
    expect(big.status).toBe(413);
    expect((await stateOf()).components.root.vars.requests).toEqual([]);
  });

  test("a patch sent before the app's first pass answers 503 with Retry-After, and the same patch is taken once it runs", async () => {
    if (!process.env.LIT_HOME) tempLitHome();
    const engine = new AppEngine(new L.LightningApp(new RequestsFlow()), { executor: new LoggingExecutor(), clock: realClock });
    const server = await startAppServer(engine, { port: 0 });
    try {
      const patch = { patch: [{ op: "add", path: "/components/root/vars/requests/-", value: { name: "early" } }] };
      const early = await fetch(`${server.url}/api/v1/delta`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(patch) });
      expect(early.status).toBe(503);
      expect(early.headers.get("retry-after")).toBe("1");
      expect(((await early.json()) as { error: { message: string } }).error.message).toContain("the app is starting");
      void engine.start();
      await until(() => engine.stage === "running", "the app to run");
      expect((await post(`${server.url}/api/v1/delta`, patch)).status).toBe(200);
    } finally {
      await engine.stop("test over");
      await server.close();
    }
  });

  test("answers 409 once the app has ended", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    await served.engine.stop("done");
    const res = await post(`${served.url}/api/v1/delta`, { patch: [{ op: "add", path: "/components/root/vars/requests/-", value: { name: "a" } }] });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain("stopped");
    expect((await stateOf()).stage).toBe("stopped");
  });
});

/** A work that reports what it received in its field `input`. */
class Receiver extends L.LightningWork {
  input: unknown = null;
  received: { isPath: boolean; json: string } | null = null;
  async run(_round: number) {
    this.received = { isPath: this.input instanceof L.Path, json: JSON.stringify(this.input) };
  }
}

/** A flow with a big array and fields of several types, whose pass relies on their types. */
class Holder extends L.LightningFlow {
  items: number[] = Array.from({ length: 10_000 }, (_, i) => i);
  note = "";
  tags: string[] = [];
  round = 0;
  seen = "";
  receiver = new Receiver();
  run() {
    this.seen = `${this.note.toUpperCase()}|${this.items.length}|${this.tags.join(",")}`;
    this.receiver.run(this.round);
  }
}

const ITEMS = "/components/root/vars/items";

describe("POST /api/v1/delta: a patch's cost is bounded", () => {
  test("40 copies of an array into itself are refused at once with 413; nothing is applied and the app goes on", async () => {
    served = await serveApp(new L.LightningApp(new Holder()));
    const before = await stateOf();
    const t0 = performance.now();
    const res = await post(`${served.url}/api/v1/delta`, { patch: Array.from({ length: 40 }, () => ({ op: "copy", from: ITEMS, path: `${ITEMS}/-` })) });
    const ms = performance.now() - t0;
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: "E_STATE_LIMIT", limit: "patchBytes" });
    expect(ms).toBeLessThan(2000);
    expect(await stateOf()).toEqual(before);
    const ok = await post(`${served.url}/api/v1/delta`, { patch: [{ op: "replace", path: "/components/root/vars/note", value: "still here" }] });
    expect(ok.status).toBe(200);
    await until(async () => (await stateOf()).components.root.vars.seen === "STILL HERE|10000|", "the flow to re-run");
  });

  test("too many operations are 413 before the body is read further; values nested too deep are 400", async () => {
    served = await serveApp(new L.LightningApp(new Holder(), { limits: { maxPatchOps: 50, maxDepth: 8 } }));
    const before = await stateOf();
    const many = await post(`${served.url}/api/v1/delta`, { patch: Array.from({ length: 51 }, () => ({ op: "replace", path: "/components/root/vars/note", value: "x" })) });
    expect(many.status).toBe(413);
    expect(many.body.error).toMatchObject({ code: "E_STATE_LIMIT", limit: "patchOps" });
    expect(many.body.error.message).toContain("more than the 50 one patch may carry (maxPatchOps)");

    const body = `{"patch":[{"op":"replace","path":"/components/root/vars/tags","value":${"[".repeat(200_000)}${"]".repeat(200_000)}}]}`;
    const deep = await post(`${served.url}/api/v1/delta`, body);
    expect(deep.status).toBe(400);
    expect(deep.body.error).toMatchObject({ code: "E_STATE_LIMIT", limit: "depth" });
    const nested = await post(`${served.url}/api/v1/delta`, { patch: [{ op: "add", path: "/components/root/vars/tags/-", value: [[[[[[[["x"]]]]]]]] }] });
    expect(nested.status).toBe(400);
    expect(nested.body.error, JSON.stringify(nested.body)).toMatchObject({ code: "E_STATE_LIMIT", limit: "depth", field: "tags[-]" });
    expect(await stateOf()).toEqual(before);
  });

  test("a patch that would pass the state's size limit is 413; a large patch within the limits applies", async () => {
    served = await serveApp(new L.LightningApp(new Holder(), { limits: { maxStateBytes: 1536 * 1024 } }));
    const big = Array.from({ length: 1000 }, (_, i) => ({ op: "add", path: "/components/root/vars/tags/-", value: `${i}`.padEnd(900, "v") }));
    const t0 = performance.now();
    const ok = await post(`${served.url}/api/v1/delta`, { patch: big });
    const ms = performance.now() - t0;
    expect(ok.status).toBe(200);
    expect(ms).toBeLessThan(2000);
    await until(async () => (await stateOf()).components.root.vars.tags.length === 1000, "the tags");
    const tags = "/components/root/vars/tags";
    const over = await post(`${served.url}/api/v1/delta`, { patch: [{ op: "copy", from: tags, path: `${tags}/-` }, { op: "copy", from: tags, path: `${tags}/-` }] });
    expect(over.status).toBe(413);
    expect(over.body.error).toMatchObject({ code: "E_STATE_LIMIT", limit: "patchBytes" });
    const again = await post(`${served.url}/api/v1/delta`, { patch: big });
    expect(again.status).toBe(413);
    expect(again.body.error).toMatchObject({ code: "E_STATE_LIMIT", limit: "stateBytes" });
    expect((await stateOf()).components.root.vars.tags.length).toBe(1000);
  });
});

describe("POST /api/v1/delta: clients keep the shape of the state", () => {
  test("removing a declared field or changing its type is 400 naming the field; the app goes on", async () => {
    served = await serveApp(new L.LightningApp(new Holder()));
    const before = await stateOf();
    for (const [op, field, reason] of [
      [{ op: "remove", path: "/components/root/vars/tags" }, "tags", "a patch cannot remove a declared field"],
      [{ op: "replace", path: "/components/root/vars/items", value: { a: 1 } }, "items", "it holds an array; a patch cannot make it an object"],
      [{ op: "replace", path: "/components/root/vars/note", value: ["a"] }, "note", "it holds a string; a patch cannot make it an array"],
      [{ op: "add", path: "/components/root/vars/extra", value: 1 }, "extra", 'Holder declares no field "extra"'],
    ] as const) {
      const res = await post(`${served.url}/api/v1/delta`, { patch: [op] });
      expect(res.status, field).toBe(400);
      expect(res.body.error, field).toMatchObject({ code: "E_STATE_SHAPE", component: "root", field });
      expect(res.body.error.message, field).toContain(reason);
    }
    expect(await stateOf()).toEqual(before);
    await post(`${served.url}/api/v1/delta`, { patch: [{ op: "add", path: "/components/root/vars/tags/-", value: "ok" }] });
    await until(async () => (await stateOf()).components.root.vars.seen === "|10000|ok", "the flow to re-run");
    expect(served.engine.stage).toBe("running");
  });
});

describe("POST /api/v1/delta: framework values cannot be forged", () => {
  test("a Path's tag written by a client reaches the work as plain data", async () => {
    served = await serveApp(new L.LightningApp(new Holder()));
    const forged = { $lit: "Path", path: "secret.txt", origin: "root.receiver", consumers: [] };
    const res = await post(`${served.url}/api/v1/delta`, {
      patch: [
        { op: "replace", path: "/components/root.receiver/vars/input", value: forged },
        { op: "replace", path: "/components/root/vars/round", value: 1 },
      ],
    });
    expect(res.status).toBe(200);
    await until(async () => (await stateOf()).components["root.receiver"].vars.received !== null, "the work to run");
    const vars = (await stateOf()).components["root.receiver"].vars;
    expect(vars.received).toEqual({ isPath: false, json: JSON.stringify(forged) });
    expect(vars.input).toEqual({ $lit: "Object", value: forged });
  });
});

describe("nestsDeeperThan", () => {
  test("counts arrays and objects, not brackets inside strings", () => {
    expect(nestsDeeperThan('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[1,{"b":2}]}', 2)).toBe(true);
    expect(nestsDeeperThan('["[[[[", "\\"", "{{{"]', 1)).toBe(false);
  });
});
