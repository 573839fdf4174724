/** What an executor says of where a work runs (its host, a GPU it waits for, a lost link) shows in its status and the state. */
import { describe, expect, it } from "vitest";
import { AppEngine } from "./app-engine.ts";
import { LightningApp, LightningFlow, LightningWork } from "./index.ts";
import type { WorkCall, WorkEvent, WorkRef } from "./ports.ts";
import type { PatchOp } from "./state-document.ts";
import { deferred, flushMicrotasks } from "./test-support/deferred.ts";
import { FakeClock, InProcessExecutor } from "./testing/index.ts";

/** The in-process executor, holding calls back until told, and reporting what a host's executor would. */
class HostLike extends InProcessExecutor {
  report: (e: WorkEvent) => void = () => {};
  readonly held: (() => void)[] = [];
  override bind(emit: (e: WorkEvent) => void): void {
    this.report = emit;
    super.bind(emit);
  }
  override call(work: WorkRef, call: WorkCall): void {
    this.held.push(() => super.call(work, call));
  }
}

const release = deferred();

class Train extends LightningWork {
  async run() {
    await release.promise;
  }
}

class Root extends LightningFlow {
  train = new Train({ parallel: true });
  run() {
    this.train.run();
  }
}

async function settle(clock: FakeClock): Promise<void> {
  for (let i = 0; i < 20; i++) {
    clock.runSoon();
    await flushMicrotasks();
  }
}

describe("where a work runs", () => {
  it("shows in its status and in the state: its host, the GPU it waits for, a lost link", async () => {
    const executor = new HostLike();
    const clock = new FakeClock();
    const root = new Root();
    const engine = new AppEngine(new LightningApp(root), { executor, clock });
    const changes: PatchOp[] = [];
    engine.subscribe((ops) => changes.push(...ops));
    void engine.start();
    await engine.started;
    await settle(clock);
    expect(root.train.status.stage).toBe("pending");

    executor.report({ type: "placed", work: "root.train", host: "gpu-box", gpus: ["GPU-1"] });
    expect(engine.stateDocument().components["root.train"]!.placement).toEqual({ host: "gpu-box", gpus: ["GPU-1"] });
    expect(changes).toContainEqual({ op: "replace", path: "/components/root.train/placement", value: { host: "gpu-box", gpus: ["GPU-1"] } });

    executor.report({ type: "waiting", work: "root.train", reason: "waiting for a GPU on gpu-box" });
    expect(root.train.status).toMatchObject({ stage: "pending", reason: "waiting for a GPU on gpu-box" });

    for (const go of executor.held) go();
    await settle(clock);
    expect(root.train.status.stage).toBe("running");
    expect(root.train.status.reason).toBeUndefined();

    executor.report({ type: "connection", work: "root.train", state: "lost", message: "root.train: the link to gpu-box is down" });
    expect(root.train.status).toMatchObject({ stage: "running", reason: "host unreachable", message: "root.train: the link to gpu-box is down" });
    executor.report({ type: "connection", work: "root.train", state: "restored", message: "root.train: the link to gpu-box is back" });
    expect(root.train.status.stage).toBe("running");
    expect(root.train.status.reason).toBeUndefined();

    release.resolve();
    await settle(clock);
    expect(root.train.status.stage).toBe("succeeded");
    await engine.stop();
  });
});
