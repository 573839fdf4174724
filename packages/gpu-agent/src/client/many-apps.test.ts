/**
 * Several apps on one host: three controllers on one real agent (a child
 * process), each running the fault app, whose work is `root.ticker` in every
 * one: two name their apps (`apps/a`, `apps/b`), one names none (an older
 * controller). Each gets its own work's lines and result; the host report
 * says which app each work is of; `DELETE /v1/works?app=` ends one app's
 * works and leaves the others' running.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startRemoteApp, expectedTicks, type RemoteApp } from "../test-support/remote-app.ts";
import { startTestAgent, type TestAgent } from "../test-support/test-agent.ts";
import { until } from "../test-support/until.ts";

describe("several apps with works of the same names on one agent", () => {
  let agent: TestAgent | undefined;
  const apps: RemoteApp[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop().catch(() => undefined);
    await agent?.cleanup();
    agent = undefined;
  });

  const start = async (running: TestAgent, app: string | undefined) => {
    const started = await startRemoteApp({
      host: "loopback",
      connect: async () => ({ url: running.url }),
      token: running.token,
      backoff: { initialMs: 50, maxMs: 200 },
      ...(app ? { app } : {}),
    });
    apps.push(started);
    return started;
  };

  const report = async (running: TestAgent) => {
    const res = await fetch(`http://127.0.0.1:${running.port}/v1/host`, { headers: { authorization: `Bearer ${running.token}` } });
    return (await res.json()) as { works: { name: string; app?: string; stage: string }[] };
  };

  it("run side by side, each with its own lines and result", async () => {
    agent = await startTestAgent();
    const [a, b, none] = [await start(agent, "apps/a"), await start(agent, "apps/b"), await start(agent, undefined)];
    a.go(40, 10);
    b.go(60, 10);
    none.go(30, 10);
    await until(() => agent!.workPids().length === 3, "three work processes, one per app", 30_000);
    const works = (await report(agent)).works.map((w) => `${w.app ?? "-"} ${w.name}`).sort();
    expect(works).toEqual(["- root.ticker", "apps/a root.ticker", "apps/b root.ticker"]);
    for (const app of [a, b, none]) await until(() => app.root.ticker.status.stage === "succeeded", "each app's call to succeed", 60_000);
    expect(a.ticks()).toEqual(expectedTicks(40));
    expect(b.ticks()).toEqual(expectedTicks(60));
    expect(none.ticks()).toEqual(expectedTicks(30));
    expect([a.runs(), b.runs(), none.runs()]).toEqual([1, 1, 1]);
  }, 90_000);

  it("DELETE /v1/works?app= ends that app's works only", async () => {
    agent = await startTestAgent();
    const [a, b] = [await start(agent, "apps/a"), await start(agent, "apps/b")];
    a.go(100_000, 20);
    b.go(150, 20);
    await until(() => a.ticks().length > 3 && b.ticks().length > 3, "both apps' first lines", 30_000);
    const res = await fetch(`http://127.0.0.1:${agent.port}/v1/works?app=apps/a&graceMs=0`, { method: "DELETE", headers: { authorization: `Bearer ${agent.token}` } });
    expect(await res.json()).toEqual({ stopped: ["root.ticker"] });
    expect((await report(agent)).works.map((w) => w.app)).toEqual(["apps/b"]);
    const seenByA = a.ticks().length;
    await until(() => b.root.ticker.status.stage === "succeeded", "the other app's call to succeed", 60_000);
    expect(b.ticks()).toEqual(expectedTicks(150));
    expect(a.ticks().length).toBeLessThan(seenByA + 3);
    expect(a.root.ticker.status.stage).not.toBe("succeeded");
    // A channel naming something other than an app's key is closed at once.
    const refused = await new Promise<{ code: number; reason: string }>((resolve) => {
      const ws = new WebSocket(`${agent!.url}?app=..%2Fx`, { headers: { authorization: `Bearer ${agent!.token}` } });
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
      ws.on("error", () => undefined);
    });
    expect(refused.code).toBe(1008);
    expect(refused.reason).toMatch(/^"app" must be the app's storage folder/);
    const bad = await fetch(`http://127.0.0.1:${agent.port}/v1/works?app=../x`, { method: "DELETE", headers: { authorization: `Bearer ${agent.token}` } });
    expect(bad.status).toBe(400);
  }, 90_000);
});
