/**
 * Ctrl-C (SIGINT) and SIGTERM stop a running app within 3 s, whatever it is doing, and no process
 * it started is left behind. The fixture test/fixtures/long-app.ts runs three works that never end
 * by themselves: one ticks, one spins the CPU without yielding (its thread must be ended), one waits
 * on a `sleep` child process that it kills from an `onWorkStop` hook. test/fixtures/stuck-app.ts
 * does not let go: its flow's run() never returns, one work spins, one ignores stop and leaves its
 * `sleep` running. The sleep's duration is a marker unique to each test, so a leftover process can
 * be found by its command line.
 *
 * A flow stuck in run() holds the thread it runs in: the app runs in a thread of its own, and the
 * process's main thread, which never runs the app's code, ends the process when the app has not
 * stopped 2.2 s after the signal. It also reports a pass that runs for more than 5 s, with where
 * it is on Node (Bun and Deno cannot read another thread's stack).
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  descendants,
  fixture,
  isAlive,
  RUNTIMES,
  startApp,
  threadCount,
  type AppProcess,
  type Exit,
  type Runtime,
  type StartOptions,
} from "./test-support/app-process.ts";

const APP = fixture("long-app.ts");

/** Live processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || !isAlive(Number(entry))) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes(marker)) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (performance.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopsCleanly(runtime: Runtime, signal: "SIGINT" | "SIGTERM", options: StartOptions = {}): Promise<void> {
  const marker = `100.${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const app = startApp(runtime, APP, { ...options, env: { SLEEP_SECONDS: marker } });
  try {
    const started = await app.waitFor(/^root\.sleeper \| sleep started: pid \d+$/);
    await app.waitFor("root.spinner | spinning");
    await app.waitFor("root.ticker | tick 3");
    const sleepPid = Number(started.text.split("pid ")[1]);

    // Running: the sleep child is there, below the app, and the works' threads are up.
    expect(processesWith(marker)).toEqual([sleepPid]);
    const before = descendants(app.pid);
    expect(before).toContain(sleepPid);
    const appProcesses = [app.pid, ...before.filter((pid) => pid !== sleepPid)];
    expect(Math.max(...appProcesses.map(threadCount))).toBeGreaterThanOrEqual(4);

    const sentAt = performance.now();
    process.kill(app.pid, signal);
    const exit = await app.done(15_000);
    const took = performance.now() - sentAt;

    expect(exit.signal, app.transcript()).toBeNull();
    expect(exit.code).toBe(0);
    // The spinning work never yields: it gets the stop grace period (1.5 s), then its thread is ended.
    expect(took).toBeLessThan(3_000);
    expect(await eventually(() => before.every((pid) => !isAlive(pid)), 2_000), `left: ${before.filter(isAlive)}`).toBe(true);
    expect(processesWith(marker)).toEqual([]);
    expect(app.lines.filter((l) => l.stream === "stderr" && !l.text.startsWith("[lit-app] the app's UI:"))).toEqual([]);
  } finally {
    app.kill();
    // A failed run may leave the test's own sleep behind, found by its unique marker.
    for (const pid of processesWith(marker)) process.kill(pid, "SIGKILL");
  }
}

describe.each(RUNTIMES)("stopping a running app on %s", (runtime) => {
  it("Ctrl-C (SIGINT) exits promptly and leaves no thread or child process behind", async () => {
    await stopsCleanly(runtime, "SIGINT");
  });

  it("SIGTERM does the same", async () => {
    await stopsCleanly(runtime, "SIGTERM");
  });
});

describe("lit run --runtime <other>: the signal is forwarded to the app's process", () => {
  for (const other of ["bun", "deno"] as const) {
    it(`Ctrl-C on \`lit run --runtime ${other}\` stops the ${other} app and everything below it`, async () => {
      await stopsCleanly("node", "SIGINT", { litArgs: ["--runtime", other] });
    });
  }
});

const STUCK_APP = fixture("stuck-app.ts");
const STUCK_SOURCE = readFileSync(STUCK_APP, "utf8").split("\n");
/** 1-based line of the flow's endless loop in the fixture. */
const LOOP_LINE = STUCK_SOURCE.findIndex((l) => l.includes("for (;;) {")) + 1;

function marker(): string {
  return `100.${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
}

/** Resolves once stuck-app.ts's works run (and, with STUCK=flow, its flow is stuck). */
async function whenStuck(app: AppProcess, stuck: "flow" | "works"): Promise<void> {
  await app.waitFor(/^root\.sleeper \| sleep started: pid \d+$/);
  await app.waitFor("root.spinner | spinning");
  if (stuck === "flow") await app.waitFor("flow: stuck");
}

/** Starts stuck-app.ts and waits until it is stuck. */
async function startStuck(runtime: Runtime, stuck: "flow" | "works", sleep: string): Promise<{ app: AppProcess }> {
  const app = startApp(runtime, STUCK_APP, { env: { SLEEP_SECONDS: sleep, STUCK: stuck } });
  try {
    await whenStuck(app, stuck);
  } catch (error) {
    // A stuck app never ends by itself.
    app.kill();
    for (const pid of processesWith(sleep)) process.kill(pid, "SIGKILL");
    throw error;
  }
  return { app };
}

/** Sends `signal` and checks that the app and everything below it ended within 3 s. */
async function endsWithin3s(app: AppProcess, signal: "SIGINT" | "SIGTERM", sleep: string): Promise<Exit> {
  const below = descendants(app.pid);
  expect(processesWith(sleep)).toHaveLength(1);
  const sentAt = performance.now();
  process.kill(app.pid, signal);
  const exit = await app.done(15_000);
  expect(performance.now() - sentAt, app.transcript()).toBeLessThan(3_000);
  expect(await eventually(() => below.every((pid) => !isAlive(pid)), 500), `left: ${below.filter(isAlive)}`).toBe(true);
  expect(processesWith(sleep)).toEqual([]);
  return exit;
}

describe.each(RUNTIMES)("an app that does not let go, on %s", (runtime) => {
  it("a flow stuck in run() is reported with where it is, and Ctrl-C ends the app within 3 s with its works and their processes", async () => {
    const sleep = marker();
    const { app } = await startStuck(runtime, "flow", sleep);
    try {
      const report = await app.waitFor(/the flow has been running one pass for/, 10_000);
      expect(report.stream).toBe("stderr");
      expect(report.text).toMatch(
        /^\[lit-app\] the flow has been running one pass for 5\.\d s: root\.run\(\) \(Root, app packages\/lit-app\/test\/fixtures\/stuck-app\.ts\) has not returned/,
      );
      // Where: the user's line on Node; Bun and Deno cannot tell.
      if (runtime === "node") expect(report.text).toContain(`at computeForever (packages/lit-app/test/fixtures/stuck-app.ts:${LOOP_LINE}:`);
      expect(report.text).toContain("move long or blocking code into a LightningWork");
      // Printed once while it is stuck.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(app.lines.filter((l) => l.text.includes("has been running one pass"))).toHaveLength(1);

      const exit = await endsWithin3s(app, "SIGINT", sleep);
      expect(exit.code).toBe(130);
      expect(app.output("stderr")).toMatch(/the app did not stop within 2\.2 s \(stopped by SIGINT\): the flow has been running one pass for \d+\.\d s: root\.run\(\) \(Root, .*\) has not returned.*\. Ended it\./);
    } finally {
      app.kill();
      for (const pid of processesWith(sleep)) process.kill(pid, "SIGKILL");
    }
  });

  it("SIGTERM ends a stuck flow's app within 3 s too", async () => {
    const sleep = marker();
    const { app } = await startStuck(runtime, "flow", sleep);
    try {
      const exit = await endsWithin3s(app, "SIGTERM", sleep);
      expect(exit.code).toBe(143);
    } finally {
      app.kill();
      for (const pid of processesWith(sleep)) process.kill(pid, "SIGKILL");
    }
  });

  it("Ctrl-C ends an app whose works are busy or ignore stop within 3 s, and the child process of the one ignoring it", async () => {
    const sleep = marker();
    const { app } = await startStuck(runtime, "works", sleep);
    try {
      const exit = await endsWithin3s(app, "SIGINT", sleep);
      // The flow stopped the app: a clean stop, whatever the works did.
      expect(exit.code).toBe(0);
      expect(app.lines.filter((l) => l.stream === "stderr" && !l.text.startsWith("[lit-app] the app's UI:"))).toEqual([]);
    } finally {
      app.kill();
      for (const pid of processesWith(sleep)) process.kill(pid, "SIGKILL");
    }
  });
});

describe("lit run --runtime <other> whose lit process is killed (kill -9)", () => {
  for (const other of ["bun", "deno"] as const) {
    for (const stuck of ["works", "flow"] as const) {
      it(`the ${other} process ends within 3 s with everything below it, and its server stops serving (${stuck} busy)`, async () => {
        const sleep = marker();
        const started = startApp("node", STUCK_APP, { litArgs: ["--runtime", other, "--port", "0"], env: { SLEEP_SECONDS: sleep, STUCK: stuck } });
        let below: number[] = [];
        try {
          const url = (await started.waitFor(/the app's UI: http:/)).text.split("UI: ")[1]!;
          await whenStuck(started, stuck);
          if (stuck === "works") expect((await fetch(`${url}/api/v1/state`)).status).toBe(200);
          const child = descendants(started.pid).find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(other));
          expect(child).toBeDefined();
          below = [child!, ...descendants(child!)];
          const killedAt = performance.now();
          process.kill(started.pid, "SIGKILL");
          expect(await eventually(() => below.every((pid) => !isAlive(pid)), 3_000), `left: ${below.filter(isAlive)}`).toBe(true);
          expect(performance.now() - killedAt).toBeLessThan(3_000);
          expect(processesWith(sleep)).toEqual([]);
          await expect(fetch(`${url}/api/v1/state`)).rejects.toThrow();
        } finally {
          started.kill();
          for (const pid of below) if (isAlive(pid)) process.kill(pid, "SIGKILL");
          for (const pid of processesWith(sleep)) process.kill(pid, "SIGKILL");
        }
      });
    }
  }
});
