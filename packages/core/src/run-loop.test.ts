/** The run loop: a pass only when something changed, never a busy loop; how an app ends. */
import { describe, expect, it } from "vitest";
import { AppStateError, FlowFailedError, LightningApp, LightningFlow, LightningWork } from "./index.ts";
import { begin } from "./test-support/begin.ts";
import { deferred, flushMicrotasks } from "./test-support/deferred.ts";
import { FakeClock, NotSettledError, TestApp } from "./testing/index.ts";

class Step extends LightningWork {
  value = 0;
  async run(to: number) {
    this.value = to;
  }
}

describe("re-running only on change", () => {
  class Idle extends LightningFlow {
    step = new Step();
    setting = 1;
    _passes = 0;
    run() {
      this._passes++;
      this.step.run(this.setting);
    }
  }

  it("runs no pass when nothing changed, however much time passes", async () => {
    const t = new TestApp<Idle>(new LightningApp(new Idle()));
    await t.start();
    const passes = t.passes;
    // pass 1 calls and stops, then one pass per status change (running, succeeded) and the state delta.
    expect(passes).toBeLessThanOrEqual(4);
    expect(t.root._passes).toBe(passes);
    await t.settle();
    await t.advance(24 * 60 * 60 * 1000);
    expect(t.passes).toBe(passes);
    expect(t.clock.nextTimer).toBeUndefined();
    expect(t.clock.hasQueued).toBe(false);
  });

  it("an external delta causes a pass; a new argument causes one new call", async () => {
    const t = new TestApp<Idle>(new LightningApp(new Idle()));
    await t.start();
    const passes = t.passes;
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/setting", value: 2 }]);
    await t.settle();
    expect(t.root.step.value).toBe(2);
    expect(t.root.step.numSuccesses).toBe(2);
    expect(t.passes).toBeGreaterThan(passes);
    expect(t.passes - passes).toBeLessThanOrEqual(4);
  });

  it("a flow's change to its own state causes exactly one more pass", async () => {
    class Once extends LightningFlow {
      flag = false;
      run() {
        this.flag = true;
      }
    }
    const t = new TestApp<Once>(new LightningApp(new Once()));
    await t.start();
    expect(t.passes).toBe(2);
  });

  it("changes made between passes are batched into one pass", async () => {
    const t = new TestApp<Idle>(new LightningApp(new Idle()));
    await t.start();
    const passes = t.passes;
    for (let i = 0; i < 5; i++) t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/setting", value: 1 }]);
    expect(await t.settle()).toBe(1);
    expect(t.passes).toBe(passes + 1);
  });

  it("step() runs exactly one due pass", async () => {
    const t = new TestApp<Idle>(new LightningApp(new Idle()));
    await begin(t);
    expect(await t.step()).toBe(true);
    expect(t.passes).toBe(1);
    expect(t.root.step.isPending || t.root.step.hasSucceeded).toBe(true);
    while (await t.step());
    expect(await t.step()).toBe(false);
    expect(t.root.step.hasSucceeded).toBe(true);
  });

  it("a flow that changes its own state on every pass makes settle() fail instead of hanging", async () => {
    class Restless extends LightningFlow {
      n = 0;
      run() {
        this.n++;
      }
    }
    const t = new TestApp<Restless>(new LightningApp(new Restless()), { maxPasses: 50 });
    const error = await t.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotSettledError);
    expect((error as Error).message).toContain("the app did not settle after 51 passes");
    await t.stop();
  });

  it("wakeAt() causes one pass at that time; a past time causes one pass now", async () => {
    class Waker extends LightningFlow {
      _times: number[] = [];
      run() {
        this._times.push(this.now());
        if (this._times.length === 1) {
          this.wakeAt(new Date(this.now() + 10_000));
          this.wakeAt(this.now() + 10_000);
          this.wakeAt(this.now() + 3_000);
        }
        if (this._times.length === 3) this.wakeAt(this.now() - 1);
      }
    }
    const clock = new FakeClock(1_000_000);
    const t = new TestApp<Waker>(new LightningApp(new Waker()), { clock });
    await t.start();
    await t.advance(60_000);
    expect(t.root._times).toEqual([1_000_000, 1_003_000, 1_010_000, 1_010_000]);
  });
});

describe("ending an app", () => {
  it("flow.stop() ends it cleanly (exit 0) and skips the rest of the pass", async () => {
    class Stopper extends LightningFlow {
      step = new Step();
      _after = false;
      run() {
        this.step.run(1);
        if (this.step.hasSucceeded) this.stop("all done");
        this._after = true;
      }
    }
    const t = new TestApp<Stopper>(new LightningApp(new Stopper()));
    await t.start();
    expect(t.result).toEqual({ stage: "stopped", exitCode: 0, message: "all done" });
    expect(t.engine.stage).toBe("stopped");
    expect(t.root._after).toBe(false);
    expect(t.changes.filter((c) => c.path === "/stage").map((c) => c.value)).toEqual(["running", "stopping", "stopped"]);
    expect(t.engine.stateDocument().stage).toBe("stopped");
  });

  it("flow.fail() ends it as failed (exit 1) with the message and the flow's name", async () => {
    class Failer extends LightningFlow {
      run() {
        this.fail("the data set is empty");
      }
    }
    const t = new TestApp(new LightningApp(new Failer()));
    await t.start();
    expect(t.result).toMatchObject({ stage: "failed", exitCode: 1, message: "the data set is empty" });
    expect(t.result?.error).toBeInstanceOf(FlowFailedError);
    expect(t.result?.error?.message).toBe("root failed the app: the data set is empty");
  });

  it("a child flow's stop() names the child", async () => {
    class Child extends LightningFlow {
      run() {
        this.fail("child gave up");
      }
    }
    class Parent extends LightningFlow {
      child = new Child();
      run() {
        this.child.run();
      }
    }
    const t = new TestApp(new LightningApp(new Parent()));
    await t.start();
    expect(t.result?.error?.message).toBe("root.child failed the app: child gave up");
  });

  it("stopping from outside ends running works' calls and no pass runs after", async () => {
    const gate = deferred();
    class Long extends LightningWork {
      async run() {
        await gate.promise;
      }
    }
    class Root extends LightningFlow {
      long = new Long();
      run() {
        this.long.run();
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await begin(t);
    t.clock.runSoon();
    await flushMicrotasks();
    expect(t.root.long.isRunning).toBe(true);
    const result = await t.stop();
    expect(result).toEqual({ stage: "stopped", exitCode: 0, message: "stopped by the test" });
    const passes = t.passes;
    gate.resolve();
    await t.settle();
    expect(t.passes).toBe(passes);
    expect(t.root.long.hasSucceeded).toBe(false);
    expect(() => t.engine.start()).toThrow(AppStateError);
    expect(() => t.engine.start()).toThrow("the app is already stopped; an AppEngine runs once.");
  });

  it("a control signal caught by user code and rethrown still pauses the pass", async () => {
    class Careful extends LightningFlow {
      step = new Step();
      _errors = 0;
      run() {
        try {
          this.step.run(3);
        } catch (error) {
          if ((error as object).constructor.name !== "WaitingForWork") this._errors++;
          throw error;
        }
      }
    }
    const t = new TestApp<Careful>(new LightningApp(new Careful()));
    await t.start();
    expect(t.engine.stage).toBe("running");
    expect(t.root.step.value).toBe(3);
    expect(t.root._errors).toBe(0);
  });
});
