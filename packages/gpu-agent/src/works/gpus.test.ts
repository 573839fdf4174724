/**
 * GPUs through the agent: two `gpu` works on a host that declares two GPUs
 * (host.json) run at once, each in a process that sees its own GPU.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AppEngine } from "@lit-app/core/internal";
import { makeApp, type GpuRoot } from "../../test/fixtures/gpu-app.ts";
import { RemoteExecutor } from "../client/remote-executor.ts";
import { testClock } from "../test-support/remote-app.ts";
import { startTestAgent, type TestAgent } from "../test-support/test-agent.ts";
import { until } from "../test-support/until.ts";

const APP = new URL("../../test/fixtures/gpu-app.ts", import.meta.url).href;
const GPUS = [
  { uuid: "GPU-11111111-aaaa", name: "A100", memoryMiB: 81920 },
  { uuid: "GPU-22222222-bbbb", name: "A100", memoryMiB: 81920 },
];

describe("GPUs of works under the agent", () => {
  let agent: TestAgent | undefined;
  let engine: AppEngine | undefined;
  afterEach(async () => {
    await engine?.stop();
    await agent?.cleanup();
    engine = agent = undefined;
  });

  it("two gpu works at once each see a GPU of their own (CUDA_VISIBLE_DEVICES)", async () => {
    agent = await startTestAgent({ hostConfig: { gpus: GPUS } });
    const a = agent;
    const executor = new RemoteExecutor({ host: "gpu-box", connect: async () => ({ url: a.url }), token: a.token, appModule: APP });
    const app = makeApp();
    engine = new AppEngine(app, { executor, clock: testClock });
    void engine.start();
    await engine.started;
    const root = app.root as GpuRoot;
    engine.applyDelta([{ op: "replace", path: "/components/root/vars/go", value: true }]);
    await until(() => root.a.devices !== "" && root.b.devices !== "", "both works running");
    expect(new Set([root.a.devices, root.b.devices])).toEqual(new Set(GPUS.map((g) => g.uuid)));
    // The state shows where each work runs and which GPU it holds.
    const placement = (name: string) => engine!.stateDocument().components[name]!.placement;
    expect(placement("root.a")).toEqual({ host: "gpu-box", gpus: [root.a.devices] });
    expect(placement("root.b")).toEqual({ host: "gpu-box", gpus: [root.b.devices] });
    const done = (stage: string) => stage === "succeeded" || stage === "stopped";
    await until(() => done(root.a.status.stage) && done(root.b.status.stage), "both calls' results");
  }, 60_000);

  it("a gpu work that finds no free GPU waits, says why, and runs once the other has ended", async () => {
    agent = await startTestAgent({ hostConfig: { gpus: GPUS.slice(0, 1) } });
    const a = agent;
    const executor = new RemoteExecutor({ host: "gpu-box", connect: async () => ({ url: a.url }), token: a.token, appModule: APP });
    const app = makeApp();
    const logs: string[] = [];
    engine = new AppEngine(app, { executor, clock: testClock });
    engine.onLog((line) => logs.push(`${line.work}: ${line.line}`));
    void engine.start();
    await engine.started;
    const root = app.root as GpuRoot;
    engine.applyDelta([{ op: "replace", path: "/components/root/vars/go", value: true }]);
    await until(() => logs.some((l) => /is pending: waiting for a GPU on /.test(l)), "a work said it waits");
    const waiting = [root.a, root.b].find((w) => w.status.stage === "pending" && w.status.reason !== undefined);
    expect(waiting?.status.reason).toMatch(/^waiting for a GPU on /);
    await until(() => root.a.devices !== "" || root.b.devices !== "", "the other work running");
    const [first, second] = root.a.devices !== "" ? [root.a, root.b] : [root.b, root.a];
    expect(first.devices).toBe(GPUS[0]!.uuid);
    expect(second.devices).toBe("");
    // The first is stopped once its call has succeeded: its GPU goes to the second.
    await until(() => first.status.stage === "stopped", "the first work stopped");
    await until(() => second.devices === GPUS[0]!.uuid, "the second work running on the GPU");
    await until(() => second.status.stage === "stopped", "the second work done and stopped");
    expect(logs.filter((l) => l.includes("is pending"))).toHaveLength(1);
  }, 90_000);
});
