/** A work's status is the status of its latest call, whatever its older calls report later. */
import { describe, expect, it } from "vitest";
import { LightningApp, LightningFlow, LightningWork, type WorkStage } from "./index.ts";
import { deferred, flushMicrotasks, type Deferred } from "./test-support/deferred.ts";
import { TestApp } from "./testing/index.ts";

const gates = new Map<number, Deferred>();
const gate = (round: number): Deferred => {
  let g = gates.get(round);
  if (!g) gates.set(round, (g = deferred()));
  return g;
};

class Job extends LightningWork {
  async run(round: number) {
    await gate(round).promise;
    if (round < 0) throw new Error(`round ${round} went wrong`);
  }
}

class Root extends LightningFlow {
  job: Job;
  round = 1;
  /** What the flow saw of the job in each pass: `round:stage`. */
  seen: string[] = [];
  constructor(raiseException = true) {
    super();
    this.job = new Job({ parallel: true, raiseException });
  }
  run() {
    this.job.run(this.round);
    const mark = `${this.round}:${this.job.status.stage}`;
    if (this.seen.at(-1) !== mark) this.seen.push(mark);
  }
}

async function twoCalls(first: number, second: number, raiseException = true): Promise<TestApp<Root>> {
  gates.clear();
  const root = new Root(raiseException);
  root.round = first;
  const t = new TestApp<Root>(new LightningApp(root));
  void t.engine.start();
  await t.engine.started;
  t.clock.runSoon();
  await Promise.resolve();
  t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/round", value: second }]);
  t.clock.runSoon();
  return t;
}

/**
 * Lets the works' events arrive while a call is still held, running the passes they cause
 * between any two of them (as a flow on a busy event loop may).
 */
async function drain(t: TestApp<Root>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await flushMicrotasks(1);
    t.clock.runSoon();
  }
}

describe("work.status of a parallel work called again", () => {
  it("the older call's late success does not mark the newest call succeeded", async () => {
    const t = await twoCalls(1, 2);
    expect(t.root.job.status.stage).toBe("pending");
    gate(1).resolve();
    await drain(t);
    // Call 1 succeeded; call 2, the latest, has only just started.
    expect(t.root.job.numSuccesses).toBe(1);
    expect(t.root.job.status.stage).toBe<WorkStage>("running");
    expect(t.root.job.hasSucceeded).toBe(false);
    expect(t.root.seen).not.toContain("2:succeeded");
    gate(2).resolve();
    await t.settle();
    expect(t.root.job.status.stage).toBe<WorkStage>("succeeded");
    expect(t.root.job.numSuccesses).toBe(2);
    expect(t.root.seen.at(-1)).toBe("2:succeeded");
  });

  it("the older call's late failure (raiseException: false) is reported in the log, not as the newest call's status", async () => {
    const t = await twoCalls(-1, 2, false);
    gate(-1).resolve();
    await drain(t);
    expect(t.root.job.hasFailed).toBe(false);
    expect(t.root.job.status.stage).toBe<WorkStage>("running");
    expect(t.logs.map((l) => l.line)).toContain(
      "[lit-app] root.job: an earlier call failed (round -1 went wrong); root.job.status is that of its latest call, which goes on",
    );
    gate(2).resolve();
    await t.settle();
    expect(t.root.job.status.stage).toBe<WorkStage>("succeeded");
    expect(t.engine.stage).toBe("running");
  });

  it("the older call's failure still fails the app with raiseException: true", async () => {
    const t = await twoCalls(-1, 2);
    gate(-1).resolve();
    await drain(t);
    gate(2).resolve();
    await t.settle();
    expect(t.result).toMatchObject({ stage: "failed", exitCode: 1, message: "root.job failed: round -1 went wrong" });
  });
});
