import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppEngine } from "@lit-app/core/internal";
import { testClock } from "./test-support/clock.ts";
import { until } from "./test-support/until.ts";

const APP = new URL("../test/fixtures/custom-compute-app.ts", import.meta.url).href;
(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

let engine: AppEngine | undefined;
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

// A compute name the flow allowed (lit run --host a100=box) is allowed where the work runs too.
describe.each(["WorkerThreadExecutor", "WorkerProcessExecutor"] as const)("%s", (kind) => {
  it("runs a work whose CloudCompute has a name the flow's --host rules allowed", async () => {
    vi.resetModules();
    const core = await import("@lit-app/core/internal");
    core.allowComputeNames(["a100"]);
    const app = (await import("../test/fixtures/custom-compute-app.ts")).default;
    const executors = await import("./executor.ts");
    engine = new core.AppEngine(app, { executor: new executors[kind]({ appModule: APP }), clock: testClock });
    void engine.start();
    const work = (app.root as unknown as { onA100: { answer: number; status: { stage: string; reason?: string } } }).onA100;
    await until(() => work.answer === 42 || work.status.stage === "failed", "the call to end");
    expect(work.status.stage).not.toBe("failed");
    expect(work.answer).toBe(42);
  });
});
