import { afterEach, expect, it, vi } from "vitest";
import type { AppEngine } from "@lit-app/core/internal";
import { testClock } from "./test-support/clock.ts";
import { until } from "./test-support/until.ts";

const APP = new URL("../test/fixtures/timer-throw-app.ts", import.meta.url).href;
(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

let engine: AppEngine | undefined;
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

// Node ends such a thread with a bare process.exit() of its own: the failure is the error, not a call of process.exit.
it("a work whose code throws in a timer fails with that error, not with process.exit()", async () => {
  vi.resetModules();
  const core = await import("@lit-app/core/internal");
  const app = (await import("../test/fixtures/timer-throw-app.ts")).default;
  const executors = await import("./executor.ts");
  engine = new core.AppEngine(app, { executor: new executors.WorkerThreadExecutor({ appModule: APP }), clock: testClock });
  void engine.start();
  const work = (app.root as unknown as { thrower: { status: { stage: string; message?: string; reason?: string } } }).thrower;
  await until(() => work.status.stage === "failed", "the work to fail");
  const said = JSON.stringify(work.status);
  expect(said).toContain("boom in a timer");
  expect(said).not.toContain("process.exit");
});
