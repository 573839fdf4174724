/**
 * Ctrl-C (SIGINT) and SIGTERM stop a running app: it exits promptly, and no process it started
 * is left behind. The fixture test/fixtures/long-app.ts runs three works that never end by
 * themselves: one ticks, one spins the CPU without yielding (its thread must be ended), one waits
 * on a `sleep` child process that it kills from an `onWorkStop` hook. The sleep's duration is a
 * marker unique to each test, so a leftover process can be found by its command line.
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
    // The spinning work never yields: it gets the stop grace period (3 s), then its thread is ended.
    expect(took).toBeLessThan(8_000);
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
