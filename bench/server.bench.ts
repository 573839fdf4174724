/**
 * App server benchmarks, each beside a baseline measured in the same run:
 * - a state change made by a work, until a connected client sees it (median),
 *   beside one message over a bare WebSocket on loopback;
 * - 10,000 deltas posted by 4 concurrent clients (throughput, and the final
 *   state checked for lost updates), beside the same requests to a bare Hono
 *   server that appends each body to an array;
 * - the same deltas while 10 live clients that never read are connected
 *   (5 WebSockets, 5 event streams), beside none connected.
 */
import { serve } from "@hono/node-server";
import { LightningApp, LightningFlow, LightningWork } from "@lit-app/core";
import { AppEngine, type Clock, type WakeScheduler } from "@lit-app/core/internal";
import { InProcessExecutor } from "@lit-app/core/testing";
import { Hono } from "hono";
import { mkdtempSync } from "node:fs";
import { Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket, { WebSocketServer } from "ws";
import { connect } from "../packages/server/src/client/client.js";
import { startAppServer } from "../packages/server/src/index.ts";
import { slowClient } from "../packages/server/src/test-support/slow-client.ts";
import { FULL, median, type BenchOptions, type BenchRow } from "./harness.ts";

/** Samples of the latency figures and deltas posted, full and tiny (`npm run bench -- --tiny`). */
const RUNS = {
  full: { samples: 300, deltas: 10_000, warmupDeltas: 1000 },
  tiny: { samples: 40, deltas: 200, warmupDeltas: 40 },
} as const;

const clock: Clock & WakeScheduler = {
  now: () => Date.now(),
  at: (time, fn) => {
    const t = setTimeout(fn, Math.max(0, time - Date.now()));
    return () => clearTimeout(t);
  },
  soon: (fn) => void setImmediate(fn),
};

/** Each call waits for `next()`, sets `tick`, and goes on: a work changing its state on demand. */
let nextTick: (() => void) | undefined;
let stamped = 0;
class Ticker extends LightningWork {
  tick = 0;
  async run(n: number) {
    for (let i = 1; i <= n; i++) {
      await new Promise<void>((r) => (nextTick = r));
      stamped = performance.now();
      this.tick = i;
    }
  }
}
class TickFlow extends LightningFlow {
  ticker = new Ticker({ parallel: true });
  n = 0;
  run() {
    if (this.n) this.ticker.run(this.n);
  }
}

class LogFlow extends LightningFlow {
  entries: { c: number; i: number }[] = [];
  passes = 0;
  run() {
    this.passes = this.entries.length > 0 ? 1 : 0;
  }
}

async function serveRuntime(flow: LightningFlow) {
  process.env.LIT_HOME ??= mkdtempSync(join(tmpdir(), "lit-bench-"));
  const engine = new AppEngine(new LightningApp(flow), { executor: new InProcessExecutor(), clock });
  void engine.start();
  const server = await startAppServer(engine, { port: 0, register: false });
  return { engine, server };
}

async function workToClient(samples: number): Promise<number> {
  const { engine, server } = await serveRuntime(new TickFlow());
  const client = await connect(server.url, { WebSocket });
  const seen = new Map<number, number>();
  client.subscribe((doc) => {
    const tick = doc.components["root.ticker"]?.vars.tick as number;
    if (tick && !seen.has(tick)) seen.set(tick, performance.now() - stamped);
  });
  client.state.n = samples;
  const times: number[] = [];
  for (let i = 1; i <= samples; i++) {
    while (!nextTick) await new Promise((r) => setTimeout(r, 1));
    const go = nextTick;
    nextTick = undefined;
    go();
    while (!seen.has(i)) await new Promise((r) => setImmediate(r));
    times.push(seen.get(i)!);
  }
  client.close();
  await engine.stop();
  await server.close();
  return median(times.slice(20));
}

async function bareWebSocket(samples: number): Promise<number> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => wss.once("listening", r));
  const port = (wss.address() as AddressInfo).port;
  const server = new Promise<WebSocket>((r) => wss.once("connection", r));
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  const peer = await server;
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const got = new Promise<void>((r) => ws.once("message", (data) => (JSON.parse(String(data)), r())));
    const t = performance.now();
    peer.send(JSON.stringify({ type: "patch", seq: i, ops: [{ op: "replace", path: "/components/root.ticker/vars/tick", value: i }] }));
    await got;
    times.push(performance.now() - t);
  }
  ws.close();
  await new Promise((r) => wss.close(r));
  return median(times.slice(20));
}

/** POSTs JSON over a keep-alive connection (node:http: fetch's own cost would hide the server's). */
function postJson(agent: Agent, url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`POST ${url} answered ${res.statusCode}: ${text}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function postAll(url: string, path: string, clients: number, total: number, body: (c: number, i: number) => unknown): Promise<number> {
  const agents = Array.from({ length: clients }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const t = performance.now();
  await Promise.all(
    agents.map(async (agent, c) => {
      for (let i = 0; i < total / clients; i++) await postJson(agent, url + path, JSON.stringify(body(c, i)));
    }),
  );
  const rate = (total / (performance.now() - t)) * 1000;
  for (const agent of agents) agent.destroy();
  return rate;
}

/** `total` deltas from `clients` posters, with `slow` live clients connected that never read (half WebSockets, half event streams). */
async function deltas(total: number, clients: number, slow = 0): Promise<{ rate: number; lost: number; dropped: number }> {
  const { engine, server } = await serveRuntime(new LogFlow());
  const readers = Array.from({ length: slow }, (_, i) => slowClient(server.url, i % 2 ? "sse" : "ws"));
  await Promise.all(readers.map((r) => r.paused));
  const rate = await postAll(server.url, "/api/v1/delta", clients, total, (c, i) => ({
    patch: [{ op: "add", path: "/components/root/vars/entries/-", value: { c, i } }],
  }));
  const entries = engine.stateDocument().components.root!.vars.entries as { c: number; i: number }[];
  const keys = new Set(entries.map((e) => `${e.c}:${e.i}`));
  let lost = 0;
  for (let c = 0; c < clients; c++) for (let i = 0; i < total / clients; i++) if (!keys.has(`${c}:${i}`)) lost++;
  if (entries.length !== total) lost = Math.max(lost, total - entries.length);
  // a client the server dropped (more than its bound waited for it) ends once it reads again; one still connected does not
  const ends = await Promise.all(readers.map((r) => r.resume(300)));
  for (const r of readers) r.destroy();
  await engine.stop();
  await server.close();
  return { rate, lost, dropped: ends.filter((e) => e.end !== "still open").length };
}

async function bareHono(total: number, clients: number): Promise<number> {
  const app = new Hono();
  const entries: unknown[] = [];
  app.post("/delta", async (c) => {
    const body = (await c.req.json()) as { patch: { value: unknown }[] };
    for (const op of body.patch) entries.push(op.value);
    return c.json({ ok: true });
  });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise((r) => server.once("listening", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rate = await postAll(url, "/delta", clients, total, (c, i) => ({ patch: [{ op: "add", path: "/x/-", value: { c, i } }] }));
  if (entries.length !== total) throw new Error(`the bare server kept ${entries.length} of ${total}`);
  await new Promise((r) => server.close(r));
  return rate;
}

/** The server's figures. */
export async function benchServer(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const run = options.tiny ? RUNS.tiny : RUNS.full;
  const latency = await workToClient(run.samples);
  const wsBaseline = await bareWebSocket(run.samples);
  await bareHono(run.warmupDeltas, 4); // warm-up
  const baseRate = await bareHono(run.deltas, 4);
  const { rate, lost } = await deltas(run.deltas, 4);
  if (lost) throw new Error(`${lost} of ${run.deltas.toLocaleString("en")} deltas were lost`);
  const withSlow = await deltas(run.deltas, 4, 10);
  if (withSlow.lost) throw new Error(`${withSlow.lost} of ${run.deltas.toLocaleString("en")} deltas were lost with 10 slow clients connected`);
  return [
    {
      name: "work state change → client sees it (median)",
      value: latency * 1000,
      unit: "µs",
      baselineName: "one message over a bare WebSocket",
      baseline: wsBaseline * 1000,
      note: "in-process work, flow pass, JSON Patch, WebSocket, client",
    },
    {
      name: `${run.deltas.toLocaleString("en")} deltas by 4 clients`,
      value: rate,
      unit: "deltas/s",
      baselineName: "bare Hono server appending bodies",
      baseline: baseRate,
      note: `final state checked: ${lost} lost`,
    },
    {
      name: `${run.deltas.toLocaleString("en")} deltas by 4 clients, 10 slow live clients connected`,
      value: withSlow.rate,
      unit: "deltas/s",
      baselineName: "none connected",
      baseline: rate,
      note: `5 WebSockets and 5 event streams that never read; ${withSlow.dropped} of 10 dropped; ${withSlow.lost} lost`,
    },
  ];
}
