/**
 * Faults on loopback, with a real agent (a child process) and real work
 * processes: the WebSocket cut mid-run, the agent killed mid-run and
 * restarted, a work process killed while the agent is down, and a host that
 * stays unreachable. Nothing lost, nothing doubled, the call never run twice.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTestAgent, type TestAgent } from "../test-support/test-agent.ts";
import { expectedTicks, startRemoteApp, type RemoteApp } from "../test-support/remote-app.ts";
import { startTcpProxy, type TcpProxy } from "../test-support/tcp-proxy.ts";
import { until } from "../test-support/until.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the work channel's faults", () => {
  let agent: TestAgent | undefined;
  let app: RemoteApp | undefined;
  let proxy: TcpProxy | undefined;

  afterEach(async () => {
    await app?.stop();
    await proxy?.close();
    await agent?.cleanup();
    app = agent = proxy = undefined;
  });

  it("the WebSocket cut mid-run and back: every log line once, the state whole, the call run once", async () => {
    agent = await startTestAgent();
    const a = agent;
    const p = (proxy = await startTcpProxy(() => a.port));
    app = await startRemoteApp({
      host: "loopback",
      connect: async () => ({ url: `ws://127.0.0.1:${p.port}/v1/channel` }),
      token: a.token,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const r = app;
    r.go(300, 5);
    await until(() => r.ticks().length >= 50, "the first 50 lines");
    // Down for a while: the work goes on printing on the host.
    p.refusing = true;
    p.cut();
    await until(() => r.events.some((e) => e.type === "connection" && e.state === "lost"), "the link reported lost");
    expect(r.root.ticker.status.stage).toBe("running");
    const seenWhileDown = r.ticks().length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.ticks().length).toBe(seenWhileDown);
    p.refusing = false;
    await until(() => r.events.some((e) => e.type === "connection" && e.state === "restored"), "the link restored");
    // And cut again without a pause, twice.
    p.cut();
    await until(() => r.events.filter((e) => e.type === "connection" && e.state === "restored").length >= 2, "the link restored again");
    await until(() => r.root.ticker.status.stage === "succeeded", "the call's result");
    expect(r.ticks()).toEqual(expectedTicks(300));
    expect(r.root.ticker.ticks).toBe(300);
    expect(r.runs()).toBe(1);
    const lost = r.events.find((e) => e.type === "connection" && e.state === "lost");
    expect(lost).toMatchObject({ work: "root.ticker", message: expect.stringContaining("the link to loopback is down") });
  }, 90_000);

  /** A ticker on an agent behind a proxy that can stall, pinging every 200 ms; counts the executor's connects. */
  async function quietLinkApp(stalledMs?: number): Promise<{ r: RemoteApp; p: TcpProxy; connects: () => number }> {
    agent = await startTestAgent();
    const a = agent;
    const p = (proxy = await startTcpProxy(() => a.port));
    let connects = 0;
    const r = (app = await startRemoteApp({
      host: "quiet-box",
      connect: async () => (connects++, { url: `ws://127.0.0.1:${p.port}/v1/channel` }),
      token: a.token,
      pingMs: 200,
      ...(stalledMs ? { stalledMs } : {}),
      backoff: { initialMs: 50, maxMs: 200 },
    }));
    r.go(300, 5);
    await until(() => r.ticks().length >= 50, "the first 50 lines");
    return { r, p, connects: () => connects };
  }

  /** The ticker's whole output, once each, and the call run once. */
  async function endsWhole(r: RemoteApp): Promise<void> {
    await until(() => r.events.some((e) => e.type === "connection" && e.state === "restored"), "the link restored");
    await until(() => r.root.ticker.status.stage === "succeeded", "the call's result");
    expect(r.ticks()).toEqual(expectedTicks(300));
    expect(r.runs()).toBe(1);
  }

  it("a link that goes quiet and comes back: reported down, then back on the same socket, every line once", async () => {
    const { r, p, connects } = await quietLinkApp();
    p.stall();
    await until(() => r.events.some((e) => e.type === "connection" && e.state === "lost"), "the link reported lost");
    const seenWhileQuiet = r.ticks().length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(r.ticks().length).toBe(seenWhileQuiet);
    p.resume();
    await endsWhole(r);
    expect(connects()).toBe(1);
    const lost = r.events.find((e) => e.type === "connection" && e.state === "lost");
    expect(lost).toMatchObject({ work: "root.ticker", message: expect.stringMatching(/the link to quiet-box is down \(no answer for \d+ s\).*Waiting for it\./) });
  }, 90_000);

  it("a link quiet past stalledMs: its socket is given up and a new one made", async () => {
    const { r, p, connects } = await quietLinkApp(1000);
    p.stall();
    await until(() => connects() >= 2, "a new socket made");
    await endsWhole(r);
    expect(r.events.filter((e) => e.type === "connection").map((e) => (e as { state: string }).state)).toEqual(["lost", "restored"]);
  }, 90_000);

  it("the agent killed mid-run and started again: the work re-adopted, every line once, the call not run twice", async () => {
    agent = await startTestAgent();
    const a = agent;
    app = await startRemoteApp({
      host: "loopback",
      connect: async () => ({ url: a.url }),
      token: a.token,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const r = app;
    r.go(300, 5);
    await until(() => r.ticks().length >= 50, "the first 50 lines");
    const [pid] = a.workPids();
    await a.kill("SIGKILL");
    await until(() => r.events.some((e) => e.type === "connection" && e.state === "lost"), "the link reported lost");
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The work's process outlived its agent and goes on.
    expect(alive(pid!)).toBe(true);
    await a.restart();
    await until(() => r.events.some((e) => e.type === "connection" && e.state === "restored"), "the link restored");
    await until(() => r.root.ticker.status.stage === "succeeded", "the call's result");
    expect(r.ticks()).toEqual(expectedTicks(300));
    expect(r.root.ticker.ticks).toBe(300);
    expect(r.runs()).toBe(1);
    expect(a.workPids()).toEqual([pid]);
  }, 90_000);

  it("a work process killed while the agent is down: the work failed, saying its process ended while the agent was down", async () => {
    agent = await startTestAgent();
    const a = agent;
    app = await startRemoteApp({
      host: "loopback",
      connect: async () => ({ url: a.url }),
      token: a.token,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const r = app;
    r.go(100_000, 5);
    await until(() => r.ticks().length >= 20, "the first 20 lines");
    const [pid] = a.workPids();
    await a.kill("SIGKILL");
    process.kill(-pid!, "SIGKILL");
    await until(() => !alive(pid!), "the work's process gone");
    await a.restart();
    await until(() => r.root.ticker.status.stage === "failed", "the work failed");
    expect(r.root.ticker.status).toMatchObject({
      reason: "exited",
      message: "the work's process ended while the agent was down (exit status unknown)",
    });
    expect(r.engine.stage).toBe("running");
    expect(r.runs()).toBe(1);
  }, 90_000);

  it("the host unreachable past the limit: the works fail with reason host lost", async () => {
    agent = await startTestAgent();
    const a = agent;
    app = await startRemoteApp({
      host: "gpu-box",
      connect: async () => ({ url: a.url }),
      token: a.token,
      hostLostMs: 1500,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const r = app;
    r.go(100_000, 5);
    await until(() => r.ticks().length >= 20, "the first 20 lines");
    const lostAt = Date.now();
    await a.kill("SIGKILL");
    await until(() => r.root.ticker.status.stage === "failed", "the work failed");
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(1400);
    expect(r.root.ticker.status).toMatchObject({ reason: "host lost", message: expect.stringContaining("gpu-box stayed unreachable") });
    expect(r.events.filter((e) => e.type === "connection").map((e) => (e as { state: string }).state)).toEqual(["lost"]);
  }, 90_000);

  it("a work no controller comes back for is stopped by the agent after its limit, and its folder removed", async () => {
    agent = await startTestAgent({ env: { LIT_AGENT_ORPHAN_MS: "1500" } });
    const a = agent;
    const p = (proxy = await startTcpProxy(() => a.port));
    app = await startRemoteApp({
      host: "loopback",
      connect: async () => ({ url: `ws://127.0.0.1:${p.port}/v1/channel` }),
      token: a.token,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const r = app;
    r.go(100_000, 5);
    await until(() => r.ticks().length >= 20, "the first 20 lines");
    const [pid] = a.workPids();
    // The controller is gone for good (as a laptop that closed its lid past its own limit).
    p.refusing = true;
    p.cut();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(alive(pid!)).toBe(true);
    await until(() => !alive(pid!), "the orphaned work's process ended", 15_000);
    await until(() => readdirSync(join(a.home, "agent", "works")).length === 0, "its folder removed");
  }, 90_000);

  it("an agent that never answers: each attempt gives up after its timeout, and the works fail with reason host lost past the limit", async () => {
    let attempts = 0;
    app = await startRemoteApp({
      host: "silent-box",
      connect: () => (attempts++, new Promise<never>(() => undefined)),
      token: "unused",
      connectTimeoutMs: 300,
      hostLostMs: 2000,
      backoff: { initialMs: 50, maxMs: 100 },
    });
    const r = app;
    r.go(10, 1);
    await until(() => r.root.ticker.status.stage === "failed", "the work failed");
    expect(r.root.ticker.status).toMatchObject({ reason: "host lost", message: expect.stringContaining("silent-box stayed unreachable") });
    const lost = r.events.filter((e) => e.type === "connection");
    expect(lost).toEqual([expect.objectContaining({ state: "lost", message: expect.stringContaining("no answer within 300 ms") })]);
    expect(attempts).toBeGreaterThanOrEqual(3);
  }, 30_000);
});
