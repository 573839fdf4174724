import * as L from "@lit-app/core";
import { afterEach, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { applyOps } from "./client/patch.js";
import { RequestsFlow } from "./test-support/fixtures.ts";
import { get, post } from "./test-support/http.ts";
import { serveApp, until, type ServedApp } from "./test-support/serve-app.ts";

let served: ServedApp;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await served?.stop();
});

function open(path: string): Promise<{ messages: any[]; socket: WebSocket }> {
  const socket = new WebSocket(`${served.url.replace("http", "ws")}${path}`);
  sockets.push(socket);
  const messages: any[] = [];
  socket.on("message", (data) => messages.push(JSON.parse(String(data))));
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve({ messages, socket }));
    socket.once("error", reject);
  });
}

describe("GET /api/v1/ws", () => {
  test("sends the state, then every change as a numbered JSON Patch that rebuilds the served state", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const { messages } = await open("/api/v1/ws");
    await until(() => messages.length > 0, "the first message");
    expect(messages[0].type).toBe("state");
    const mirror = structuredClone(messages[0].state);
    await post(`${served.url}/api/v1/delta`, { patch: [{ op: "add", path: "/components/root/vars/requests/-", value: { name: "a" } }] });
    await until(() => mirror.components["root.counter"]?.vars.count === 1 || (apply(), false), "the work's change to arrive");
    function apply() {
      for (const m of messages.splice(1)) {
        expect(m.type).toBe("patch");
        applyOps(mirror, m.ops);
      }
    }
    await until(async () => {
      apply();
      return JSON.stringify(mirror) === JSON.stringify((await get(`${served.url}/api/v1/state`)).body);
    }, "the mirror to equal the served state");
    expect(mirror.components.root.vars.handled).toBe(1);
  });

  test("with ?logs=1 also sends the lines works print, past and live", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    served.executor.log("root.counter", "warming up");
    const { messages } = await open("/api/v1/ws?logs=1");
    served.executor.log("root.counter", "oops", "stderr");
    await until(() => messages.filter((m) => m.type === "log").length === 2, "two log lines");
    const logs = messages.filter((m) => m.type === "log").map((m) => [m.log.component, m.log.stream, m.log.line]);
    expect(logs).toEqual([
      ["root.counter", "stdout", "warming up"],
      ["root.counter", "stderr", "oops"],
    ]);
  });
});

describe("GET /api/v1/events", () => {
  test("streams the same messages as server-sent events", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const abort = new AbortController();
    const res = await fetch(`${served.url}/api/v1/events`, { signal: abort.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const read = async (what: string) => {
      while (!text.includes(what)) text += (await reader.read()).value ?? "";
    };
    await read('"type":"state"');
    await post(`${served.url}/api/v1/delta`, { patch: [{ op: "add", path: "/components/root/vars/requests/-", value: { name: "sse" } }] });
    await read('"name":"sse"');
    expect(text).toMatch(/data: \{"type":"patch","seq":\d+,"ops":\[\{"op":"add","path":"\/components\/root\/vars\/requests\/-"/);
    abort.abort();
  });
});

class Quiet extends L.LightningWork {
  run() {}
}
class TwoWorks extends L.LightningFlow {
  counter = new Quiet();
  other = new Quiet();
  run() {}
}

describe("GET /api/v1/logs", () => {
  test("returns buffered lines by component, after a given line, and follows live ones", async () => {
    served = await serveApp(new L.LightningApp(new TwoWorks()));
    served.executor.log("root.counter", "one");
    served.executor.log("root.other", "flow line");
    served.executor.log("root.counter", "two");
    const all = (await get(`${served.url}/api/v1/logs`)).body;
    expect(all.logs.map((l: any) => l.line)).toEqual(["one", "flow line", "two"]);
    const counter = (await get(`${served.url}/api/v1/logs?component=root.counter`)).body;
    expect(counter.logs.map((l: any) => l.line)).toEqual(["one", "two"]);
    const since = (await get(`${served.url}/api/v1/logs?since=${all.logs[0].seq}`)).body;
    expect(since.logs.map((l: any) => l.line)).toEqual(["flow line", "two"]);

    const abort = new AbortController();
    const res = await fetch(`${served.url}/api/v1/logs?follow=1&component=root.counter&since=${all.last}`, { signal: abort.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    served.executor.log("root.other", "not this one");
    served.executor.log("root.counter", "three");
    let text = "";
    while (!text.includes("three")) text += (await reader.read()).value ?? "";
    expect(text).not.toContain("not this one");
    abort.abort();
  });
});
