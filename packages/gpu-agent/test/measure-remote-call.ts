/**
 * Measures a non-parallel remote call on loopback (the flow's executor.call →
 * the work's process under a real agent → `succeeded` seen by the flow),
 * median over many calls, beside a bare WebSocket echo round trip of 200
 * bytes to a Bun server (the agent's runtime), from the same Node client, and
 * beside the same call to a local child process (WorkerProcessExecutor).
 *
 *   node --import tsx test/measure-remote-call.ts [calls]
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { AppEngine, type WorkCall, type WorkExecutor, type WorkRef } from "@lit-app/core/internal";
import { makeApp } from "./fixtures/conformance-app.ts";
import { WorkerProcessExecutor } from "@lit-app/local-workers";
import { RemoteExecutor } from "../src/client/remote-executor.ts";
import { startTestAgent } from "../src/test-support/test-agent.ts";
import { testClock } from "../src/test-support/remote-app.ts";

const N = Number(process.argv[2] ?? 300);
const APP = new URL("./fixtures/conformance-app.ts", import.meta.url).href;
const BUN = fileURLToPath(new URL("../../../node_modules/.bin/bun", import.meta.url));
(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const us = (ms: number) => `${Math.round(ms * 1000)} µs`;

async function bareEcho(): Promise<number> {
  const server = spawn(
    BUN,
    ["-e", `const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch(r, s) { s.upgrade(r); }, websocket: { message(ws, m) { ws.send(m); } } }); console.log(s.port);`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise<number>((resolve) => server.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  await new Promise((resolve) => ws.once("open", resolve));
  const payload = "x".repeat(200);
  const times: number[] = [];
  for (let i = 0; i < N + 50; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      ws.once("message", () => resolve());
      ws.send(payload);
    });
    if (i >= 50) times.push(performance.now() - t0);
  }
  ws.close();
  server.kill();
  return median(times);
}

/** A non-parallel call on `executor`, median (µs after warm-up). */
async function timedCalls(executor: WorkExecutor): Promise<number> {
  let ref: WorkRef | undefined;
  const waiting = new Map<string, () => void>();
  const startedAt = new Map<string, number>();
  const toStart: number[] = [];
  const recorder: WorkExecutor = {
    bind: (emit) =>
      executor.bind((event) => {
        emit(event);
        if (event.type === "started") startedAt.set(event.callId, performance.now());
        if (event.type === "succeeded") waiting.get(event.callId)?.();
      }),
    start: (r) => ((ref = r.name === "root.counter" ? r : ref), executor.start(r)),
    call: (r, call) => executor.call(r, call),
    stop: (r) => executor.stop(r),
    close: () => executor.close(),
  };
  const app = makeApp();
  const engine = new AppEngine(app, { executor: recorder, clock: testClock });
  void engine.start();
  await engine.started;
  engine.applyDelta([{ op: "replace", path: "/components/root/vars/count", value: 1 }]);
  while ((app.root as unknown as { counter: { status: { stage: string } } }).counter.status.stage !== "succeeded") await new Promise((r) => setTimeout(r, 10));
  const times: number[] = [];
  for (let i = 0; i < N + 50; i++) {
    const call: WorkCall = { id: `measure-${i}`, hash: `h${i}`, args: [i + 2], delta: [] };
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      waiting.set(call.id, resolve);
      executor.call(ref!, call);
    });
    if (i >= 50) times.push(performance.now() - t0);
    if (i >= 50) toStart.push(startedAt.get(call.id)! - t0);
  }
  if (process.env.LIT_MEASURE_DETAIL) console.log(`  call → started seen: ${us(median(toStart))}`);
  await engine.stop();
  return median(times);
}

async function remoteCall(): Promise<number> {
  const agent = await startTestAgent();
  try {
    return await timedCalls(new RemoteExecutor({ host: "loopback", connect: async () => ({ url: agent.url }), token: agent.token, appModule: APP }));
  } finally {
    await agent.cleanup();
  }
}

const echo = await bareEcho();
const local = await timedCalls(new WorkerProcessExecutor({ appModule: APP }));
const call = await remoteCall();
console.log(`bare WebSocket echo (200 B, Node ws → Bun), median of ${N}: ${us(echo)}`);
console.log(`local call (a child process over fd 3, the same app), median of ${N}: ${us(local)}`);
console.log(`remote call (executor.call → work process under the agent → succeeded), median of ${N}: ${us(call)} (${(call / echo).toFixed(1)}× the echo)`);
