/** An app resumed from its journal: state, calls and schedules as the earlier run left them. */
import { describe, expect, it } from "vitest";
import { Dict, JournalError, LightningApp, LightningFlow, LightningWork } from "./index.ts";
import { deferred, flushMicrotasks, type Deferred } from "./test-support/deferred.ts";
import { MemoryJournal } from "./test-support/memory-journal.ts";
import { AppEngine } from "./internal.ts";
import type { WorkCall, WorkEvent, WorkExecutor, WorkRef } from "./ports.ts";
import { FakeClock, TestApp } from "./testing/index.ts";

const runs: string[] = [];
let gate: Deferred | undefined;

class Step extends LightningWork {
  result = "";
  async run(name: string) {
    runs.push(name);
    if (name === "slow" && gate) await gate.promise;
    this.result = `${name} done`;
  }
}

class Pipeline extends LightningFlow {
  first = new Step();
  second = new Step();
  notes: string[] = [];
  run() {
    this.first.run("fast");
    if (!this.first.hasSucceeded) return;
    if (this.notes.length === 0) this.notes = [this.first.result];
    this.second.run("slow");
    if (this.second.hasSucceeded) this.stop("finished");
  }
}

describe("resuming from a journal", () => {
  it("restores vars and calls: a call that succeeded is not run again, one under way is sent again", async () => {
    runs.length = 0;
    gate = deferred();
    const journal = new MemoryJournal();
    const before = new TestApp<Pipeline>(new LightningApp(new Pipeline()), { journal });
    void before.start();
    for (let i = 0; i < 100 && runs.length < 2; i++) await flushMicrotasks();
    expect(runs).toEqual(["fast", "slow"]);
    expect(journal.flushes).toBeGreaterThan(0); // the first call's result was made durable
    // The process dies here, the second call under way.
    const left = journal.crashCopy();
    gate = undefined;
    const after = new TestApp<Pipeline>(new LightningApp(new Pipeline()), { journal: left });
    await after.start();
    expect(runs).toEqual(["fast", "slow", "slow"]);
    expect(after.root.notes).toEqual(["fast done"]);
    expect(after.root.first.result).toBe("fast done");
    expect(after.root.first.status.stage).toBe("succeeded");
    expect(after.result?.message).toBe("finished");
    expect(left.closed).toBe(true);
    gate = undefined;
  });

  it("refuses a journal of another component tree, saying what differs", async () => {
    const journal = new MemoryJournal();
    const first = new TestApp(new LightningApp(new Pipeline()), { journal });
    await first.start();
    class Other extends LightningFlow {
      first = new Step();
      third = new Step();
      run() {}
    }
    const t = new TestApp(new LightningApp(new Other()), { journal: journal.crashCopy() });
    await t.start();
    expect(t.result?.stage).toBe("failed");
    expect(t.result?.error).toBeInstanceOf(JournalError);
    expect(t.result?.message).toContain("root.third (Step) is new");
    expect(t.result?.message).toContain("root.second (Step) is gone");
    expect(t.result?.message).toContain("was a Pipeline");
  });

  it("a schedule's ticks missed while the app was down fire once, at resume", async () => {
    const HOUR = 3_600_000;
    class Hourly extends LightningFlow {
      fired: number[] = [];
      run() {
        if (this.schedule("hourly")) this.fired = [...this.fired, this.now()];
      }
    }
    const start = Date.UTC(2026, 0, 1, 0, 30);
    const journal = new MemoryJournal();
    const before = new TestApp<Hourly>(new LightningApp(new Hourly()), { journal, clock: new FakeClock(start) });
    await before.start();
    await before.advance(HOUR); // fires at 01:00
    expect(before.root.fired).toEqual([start, Date.UTC(2026, 0, 1, 1)]);
    // Down from 01:30 to 01:50: no tick missed, and the resumed schedule() is no first call.
    const soon = new TestApp<Hourly>(new LightningApp(new Hourly()), { journal: journal.crashCopy(), clock: new FakeClock(Date.UTC(2026, 0, 1, 1, 50)) });
    await soon.start();
    expect(soon.root.fired).toHaveLength(2);
    await soon.advance(15 * 60_000);
    expect(soon.root.fired.slice(2)).toEqual([Date.UTC(2026, 0, 1, 2)]);
    // Down from 01:30 to 05:10: the ticks of 02:00 ... 05:00 are missed.
    const after = new TestApp<Hourly>(new LightningApp(new Hourly()), { journal: journal.crashCopy(), clock: new FakeClock(Date.UTC(2026, 0, 1, 5, 10)) });
    await after.start();
    expect(after.root.fired).toEqual([start, Date.UTC(2026, 0, 1, 1), Date.UTC(2026, 0, 1, 5, 10)]);
    await after.advance(HOUR);
    expect(after.root.fired.slice(3)).toEqual([Date.UTC(2026, 0, 1, 6)]);
  });
});

describe("re-attaching to works that outlived the flow", () => {
  class Remote extends LightningWork {
    async run(_what: string) {}
  }
  class Root extends LightningFlow {
    w = new Remote();
    done = false;
    run() {
      this.w.run("x");
      this.done = true;
    }
  }

  /** An executor whose works run elsewhere: it notes what it is asked and emits what the test says. */
  class Remoting implements WorkExecutor {
    emit: (event: WorkEvent) => void = () => {};
    calls: WorkCall[] = [];
    asked: { work: string; calls: readonly { id: string; hash: string }[]; handle: unknown }[] = [];
    constructor(private readonly live?: (ids: string[]) => string[]) {
      if (live) this.reattach = async (work, calls, handle) => {
        this.asked.push({ work: work.name, calls, handle });
        return live(calls.map((c) => c.id));
      };
    }
    reattach?: WorkExecutor["reattach"];
    bind(emit: (event: WorkEvent) => void): void {
      this.emit = emit;
    }
    async start(): Promise<void> {}
    call(_work: WorkRef, call: WorkCall): void {
      this.calls.push(call);
    }
    async stop(): Promise<void> {}
    async close(): Promise<void> {}
  }

  async function firstRun(): Promise<{ journal: MemoryJournal; id: string }> {
    const journal = new MemoryJournal();
    const clock = new FakeClock();
    const executor = new Remoting();
    const engine = new AppEngine(new LightningApp(new Root()), { executor, clock, journal });
    void engine.start();
    await engine.started;
    clock.runSoon();
    const id = executor.calls[0]!.id;
    executor.emit({ type: "handle", work: "root.w", handle: { host: "gpu-box", incarnation: 7 } });
    executor.emit({ type: "started", work: "root.w", callId: id });
    clock.runSoon();
    return { journal: journal.crashCopy(), id };
  }

  it("a call the executor still has is not sent again: its events finish it", async () => {
    const { journal, id } = await firstRun();
    const clock = new FakeClock();
    const executor = new Remoting((ids) => ids);
    const engine = new AppEngine(new LightningApp(new Root()), { executor, clock, journal });
    void engine.start();
    await engine.started;
    await flushMicrotasks();
    clock.runSoon();
    expect(executor.asked).toEqual([{ work: "root.w", calls: [{ id, hash: expect.any(String) }], handle: { host: "gpu-box", incarnation: 7 } }]);
    expect(executor.calls).toEqual([]);
    expect((engine.app.root as Root).done).toBe(false);
    executor.emit({ type: "succeeded", work: "root.w", callId: id });
    clock.runSoon();
    expect((engine.app.root as Root).done).toBe(true);
    expect(executor.calls).toEqual([]);
    await engine.stop();
  });

  it("a call the executor no longer has is sent again", async () => {
    const { journal, id } = await firstRun();
    const clock = new FakeClock();
    const executor = new Remoting(() => []);
    const engine = new AppEngine(new LightningApp(new Root()), { executor, clock, journal });
    void engine.start();
    await engine.started;
    await flushMicrotasks();
    clock.runSoon();
    expect(executor.calls).toHaveLength(1);
    expect(executor.calls[0]!.id).not.toBe(id);
    await engine.stop();
  });
});

describe("resuming works a flow created in its run()", () => {
  it("restores a dynamic work's state and calls when the flow makes it again", async () => {
    runs.length = 0;
    gate = undefined;
    class Fleet extends LightningFlow {
      steps = new Dict<Step>();
      run() {
        if (!this.steps.get("a")) this.steps.set("a", new Step());
        this.steps.get("a")!.run("fast");
        if (!this.steps.get("b")) this.steps.set("b", new Step());
        this.steps.get("b")!.run("slow");
      }
    }
    const journal = new MemoryJournal();
    const before = new TestApp<Fleet>(new LightningApp(new Fleet()), { journal });
    gate = deferred();
    void before.start();
    for (let i = 0; i < 100 && runs.length < 2; i++) await flushMicrotasks();
    expect(runs).toEqual(["fast", "slow"]);
    gate = undefined;
    const after = new TestApp<Fleet>(new LightningApp(new Fleet()), { journal: journal.crashCopy() });
    await after.start();
    expect(runs).toEqual(["fast", "slow", "slow"]);
    expect(after.root.steps.get("a")!.result).toBe("fast done");
    expect(after.root.steps.get("b")!.result).toBe("slow done");
  });
});
