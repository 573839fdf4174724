import * as L from "@lit-app/core";
import { afterEach, describe, expect, test } from "vitest";
import { RequestsFlow } from "./test-support/fixtures.ts";
import { get, post } from "./test-support/http.ts";
import { serveApp, until, type ServedApp } from "./test-support/serve-app.ts";

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
        { op: "replace", path: "/components/root/vars/nothing/here", value: 1 },
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

  test("answers 409 once the app has ended", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    await served.runtime.stop("done");
    const res = await post(`${served.url}/api/v1/delta`, { patch: [{ op: "add", path: "/components/root/vars/requests/-", value: { name: "a" } }] });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain("stopped");
    expect((await stateOf()).stage).toBe("stopped");
  });
});
