/** A work over its memory limit on a host fails alone, with reason out of memory; the other work goes on. */
import { afterEach, describe, expect, it } from "vitest";
import { AppEngine } from "@lit-app/core/internal";
import { makeApp, type MemoryRoot } from "../../test/fixtures/memory-app.ts";
import { RemoteExecutor } from "../client/remote-executor.ts";
import { testClock } from "../test-support/remote-app.ts";
import { startTestAgent, type TestAgent } from "../test-support/test-agent.ts";
import { until } from "../test-support/until.ts";

const APP = new URL("../../test/fixtures/memory-app.ts", import.meta.url).href;

describe("memory limits of works under the agent", () => {
  let agent: TestAgent | undefined;
  let engine: AppEngine | undefined;
  afterEach(async () => {
    await engine?.stop();
    await agent?.cleanup();
    engine = agent = undefined;
  });

  it("a work over its CloudCompute memoryMiB fails with reason out of memory, and the other work counts to the end", async () => {
    agent = await startTestAgent();
    const a = agent;
    const executor = new RemoteExecutor({ host: "box", connect: async () => ({ url: a.url }), token: a.token, appModule: APP });
    const app = makeApp();
    engine = new AppEngine(app, { executor, clock: testClock });
    void engine.start();
    await engine.started;
    const root = app.root as MemoryRoot;
    engine.applyDelta([{ op: "replace", path: "/components/root/vars/go", value: true }]);
    await until(() => root.hog.status.stage === "failed", "the hog failed");
    expect(root.hog.status).toMatchObject({ reason: "out of memory", message: expect.stringMatching(/over its limit of 200 MiB \(CloudCompute memoryMiB\)/) });
    await until(() => root.counter.status.stage === "succeeded", "the counter's result");
    expect(root.counter.count).toBe(100);
    expect(engine.stage).toBe("running");
  }, 60_000);
});
