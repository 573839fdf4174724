/**
 * The programs of the original framework's docs ("Build a workflow", "Run
 * work in parallel"), rewritten in TypeScript and driven on a fake clock.
 */
import { describe, expect, it } from "vitest";
import { CloudCompute, LightningApp, LightningFlow, LightningWork } from "./index.ts";
import { begin } from "./test-support/begin.ts";
import { deferred, flushMicrotasks, type Deferred } from "./test-support/deferred.ts";
import { FakeClock, TestApp } from "./testing/index.ts";

/** What the works did, in order, with the fake time. */
type Journal = { event: string; time: number }[];

function worker(journal: Journal, clock: () => number, hold?: Map<string, Deferred>) {
  return class LitWorker extends LightningWork {
    async run(message: string) {
      journal.push({ event: `start ${message}`, time: clock() });
      const gate = hold?.get(message);
      if (gate) await gate.promise;
      journal.push({ event: `end ${message}`, time: clock() });
    }
  };
}

describe("the toy workflow: A then B", () => {
  it("runs B only after A's run() has finished, each once", async () => {
    const journal: Journal = [];
    const clock = new FakeClock();
    const LitWorker = worker(journal, () => clock.now());
    class LitWorkflow extends LightningFlow {
      workA = new LitWorker({ cloudCompute: new CloudCompute("cpu") });
      workB = new LitWorker({ cloudCompute: new CloudCompute("gpu") });
      run() {
        this.workA.run("running code A on a CPU machine");
        this.workB.run("running code B on a GPU machine");
      }
    }
    const t = new TestApp<LitWorkflow>(new LightningApp(new LitWorkflow()), { clock });
    await t.start();
    expect(journal.map((j) => j.event)).toEqual([
      "start running code A on a CPU machine",
      "end running code A on a CPU machine",
      "start running code B on a GPU machine",
      "end running code B on a GPU machine",
    ]);
    expect(t.root.workA.numSuccesses).toBe(1);
    expect(t.root.workB.numSuccesses).toBe(1);
    expect(t.root.workA.cloudCompute.name).toBe("cpu");
    expect(t.root.workB.cloudCompute.isGpu).toBe(true);
  });

  it("does not start B while A is still running, however long A takes", async () => {
    const journal: Journal = [];
    const clock = new FakeClock();
    const gateA = deferred();
    const LitWorker = worker(journal, () => clock.now(), new Map([["A", gateA]]));
    class Workflow extends LightningFlow {
      workA = new LitWorker();
      workB = new LitWorker();
      run() {
        this.workA.run("A");
        this.workB.run("B");
      }
    }
    const t = new TestApp<Workflow>(new LightningApp(new Workflow()), { clock });
    await begin(t);
    clock.runSoon();
    await flushMicrotasks();
    expect(t.root.workA.isRunning).toBe(true);
    expect(t.root.workB.status.stage).toBe("not_started");

    clock.setTime(clock.now() + 30_000);
    await flushMicrotasks();
    expect(journal.map((j) => j.event)).toEqual(["start A"]);

    gateA.resolve();
    await t.settle();
    expect(journal).toEqual([
      { event: "start A", time: Date.UTC(2026, 0, 1) },
      { event: "end A", time: Date.UTC(2026, 0, 1) + 30_000 },
      { event: "start B", time: Date.UTC(2026, 0, 1) + 30_000 },
      { event: "end B", time: Date.UTC(2026, 0, 1) + 30_000 },
    ]);
  });
});

describe("parallel: true", () => {
  it("lets B start and finish while A is still running", async () => {
    const journal: Journal = [];
    const clock = new FakeClock();
    const gateA = deferred();
    const LitWorker = worker(journal, () => clock.now(), new Map([["machine A counting", gateA]]));
    class LitWorkflow extends LightningFlow {
      workA = new LitWorker({ cloudCompute: new CloudCompute("cpu"), parallel: true });
      workB = new LitWorker({ cloudCompute: new CloudCompute("cpu") });
      run() {
        this.workA.run("machine A counting");
        this.workB.run("machine B counting");
      }
    }
    const t = new TestApp<LitWorkflow>(new LightningApp(new LitWorkflow()), { clock });
    await begin(t);
    clock.runSoon();
    await flushMicrotasks();

    expect(journal.map((j) => j.event)).toEqual([
      "start machine A counting",
      "start machine B counting",
      "end machine B counting",
    ]);
    expect(t.root.workA.isRunning).toBe(true);
    expect(t.root.workB.hasSucceeded).toBe(true);

    gateA.resolve();
    await t.settle();
    expect(journal.map((j) => j.event).at(-1)).toBe("end machine A counting");
    expect(t.root.workA.hasSucceeded).toBe(true);
  });

  it("without it, the same program runs B only after A (the seed's first version)", async () => {
    const journal: Journal = [];
    const clock = new FakeClock();
    const gateA = deferred();
    const LitWorker = worker(journal, () => clock.now(), new Map([["machine A counting", gateA]]));
    class LitWorkflow extends LightningFlow {
      workA = new LitWorker({ cloudCompute: new CloudCompute("cpu") });
      workB = new LitWorker({ cloudCompute: new CloudCompute("cpu") });
      run() {
        this.workA.run("machine A counting");
        this.workB.run("machine B counting");
      }
    }
    const t = new TestApp<LitWorkflow>(new LightningApp(new LitWorkflow()), { clock });
    await begin(t);
    clock.runSoon();
    await flushMicrotasks();
    expect(journal.map((j) => j.event)).toEqual(["start machine A counting"]);
    gateA.resolve();
    await t.settle();
    expect(journal.map((j) => j.event)).toEqual([
      "start machine A counting",
      "end machine A counting",
      "start machine B counting",
      "end machine B counting",
    ]);
  });
});

describe("start B 5 seconds after A has finished (timer control flow)", () => {
  const journal: Journal = [];
  const clock = new FakeClock();
  const LitWorker = worker(journal, () => clock.now());

  class LitWorkflow extends LightningFlow {
    workA = new LitWorker({ cloudCompute: new CloudCompute("cpu") });
    workB = new LitWorker({ cloudCompute: new CloudCompute("gpu") });
    _aFinishedAt: number | undefined;

    run() {
      this.workA.run("running code A on a CPU machine");
      this._aFinishedAt ??= this.now();
      const due = this._aFinishedAt + 5_000;
      if (this.now() >= due) this.workB.run("running code B on a GPU machine");
      else this.wakeAt(due);
    }
  }

  it("runs B at +5 s on the fake clock, not before, with no pass in between", async () => {
    const t = new TestApp<LitWorkflow>(new LightningApp(new LitWorkflow()), { clock });
    const t0 = clock.now();
    await t.start();
    expect(t.root.workA.hasSucceeded).toBe(true);
    expect(t.root.workB.hasStarted).toBe(false);
    const passesAfterA = t.passes;
    // Two passes: the first stops at workA.run(), the second follows A's success.
    expect(passesAfterA).toBe(2);

    await t.advance(4_900);
    expect(t.root.workB.hasStarted).toBe(false);
    expect(t.passes).toBe(passesAfterA);

    await t.advance(100);
    expect(t.root.workB.hasSucceeded).toBe(true);
    expect(journal.find((j) => j.event.startsWith("start running code B"))?.time).toBe(t0 + 5_000);
    // One pass at the wake-up (it calls B and stops there), one after B succeeded.
    expect(t.passes).toBe(passesAfterA + 2);

    await t.advance(60 * 60 * 1000);
    expect(t.passes).toBe(passesAfterA + 2);
    expect(t.root.workB.numSuccesses).toBe(1);
  });
});
