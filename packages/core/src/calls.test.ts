/** Work calls: keys, caching, statuses, counters, failure and stop. */
import { describe, expect, it } from "vitest";
import {
  LightningApp,
  LightningFlow,
  LightningWork,
  WorkFailedError,
  type WorkStatus,
} from "./index.ts";
import { applyVarOp, callHash, type WorkCall } from "./internal.ts";
import { begin } from "./test-support/begin.ts";
import { deferred, flushMicrotasks } from "./test-support/deferred.ts";
import { FakeClock, TestApp } from "./testing/index.ts";

class Echo extends LightningWork {
  _calls: unknown[][] = [];
  async run(...args: unknown[]) {
    this._calls.push(args);
  }
}

describe("call keys", () => {
  it("the same arguments in any key order give the same key; others differ", () => {
    expect(callHash([{ a: 1, b: [1, { c: 2, d: 3 }] }])).toBe(callHash([{ b: [1, { d: 3, c: 2 }], a: 1 }]));
    expect(callHash([{ a: 1, b: [1, { c: 2, d: 3 }] }])).not.toBe(callHash([{ a: 1, b: [{ c: 2, d: 3 }, 1] }]));
    expect(callHash([1, "x"])).not.toBe(callHash(["x", 1]));
    expect(callHash([1])).not.toBe(callHash(["1"]));
    expect(callHash([])).toMatch(/^run:[0-9a-f]{16}$/);
  });

  it("keys are the same on every machine and every version (pinned values)", () => {
    expect(callHash([])).toBe("run:741638a53ed472fc");
    expect(callHash(["running code A on a CPU machine"])).toBe("run:deadf30d8b423074");
    expect(callHash([{ a: [1, null, "é"], b: 2 }])).toBe("run:3c0cefa9f483b952");
    expect(callHash([0xffffffff, -1, 1.5])).toBe("run:b0483fee74e8dfee");
  });

  it("trailing undefined arguments do not make a new call", async () => {
    class Root extends LightningFlow {
      echo = new Echo();
      step = 0;
      run() {
        this.echo.run("x", this.step > 0 ? undefined : undefined);
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/step", value: 1 }]);
    await t.settle();
    expect(t.root.echo._calls).toEqual([["x"]]);
  });
});

describe("cacheCalls", () => {
  class Root extends LightningFlow {
    echo: Echo;
    other = 0;
    constructor(cacheCalls: boolean) {
      super();
      this.echo = new Echo({ cacheCalls });
    }
    run() {
      if (this.echo.numSuccesses < 3) this.echo.run("same", { n: 1 });
    }
  }

  it("true (the default): a call that succeeded is not run again, even as the flow re-runs", async () => {
    const t = new TestApp<Root>(new LightningApp(new Root(true)));
    await t.start();
    for (let i = 1; i <= 3; i++) {
      t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/other", value: i }]);
      await t.settle();
    }
    expect(t.root.echo._calls).toEqual([["same", { n: 1 }]]);
    expect(t.root.echo.numSuccesses).toBe(1);
    expect(t.root.echo.cacheCalls).toBe(true);
  });

  it("false: each pass that calls it runs it again", async () => {
    const t = new TestApp<Root>(new LightningApp(new Root(false)));
    await t.start();
    expect(t.root.echo._calls).toHaveLength(3);
    expect(t.root.echo.numSuccesses).toBe(3);
    const passes = t.passes;
    await t.settle();
    expect(t.passes).toBe(passes);
  });

  it("different arguments are different calls, each run once", async () => {
    class Many extends LightningFlow {
      echo = new Echo();
      run() {
        for (const n of [1, 2, 3, 2, 1]) this.echo.run(n);
      }
    }
    const t = new TestApp<Many>(new LightningApp(new Many()));
    await t.start();
    expect(t.root.echo._calls).toEqual([[1], [2], [3]]);
    expect(t.root.echo.numSuccesses).toBe(3);
  });
});

describe("status", () => {
  it("goes pending → running → succeeded with the clock's timestamps", async () => {
    const gate = deferred();
    class Slow extends LightningWork {
      async run() {
        await gate.promise;
      }
    }
    class Root extends LightningFlow {
      slow = new Slow();
      _seen: WorkStatus[] = [];
      run() {
        this._seen.push(this.slow.status);
        this.slow.run();
      }
    }
    const clock = new FakeClock(Date.UTC(2026, 4, 1));
    const t0 = clock.now();
    const t = new TestApp<Root>(new LightningApp(new Root()), { clock });
    const stages: string[] = [];
    t.engine.subscribe((ops) => {
      for (const op of ops) if (op.path === "/components/root.slow/status") stages.push((op.value as { stage: string }).stage);
    });
    expect(t.root.slow.status.stage).toBe("not_started");
    expect(t.root.slow.hasStarted).toBe(false);
    await begin(t);
    clock.runSoon();
    expect(t.root.slow.status).toEqual({ stage: "pending", timestamp: t0 });
    expect(t.root.slow.isPending).toBe(true);
    expect(t.root.slow.hasStarted).toBe(true);
    clock.setTime(t0 + 1_000);
    await flushMicrotasks();
    expect(t.root.slow.status).toEqual({ stage: "running", timestamp: t0 + 1_000 });
    expect(t.root.slow.isRunning).toBe(true);
    clock.setTime(t0 + 5_000);
    gate.resolve();
    await t.settle();
    expect(t.root.slow.status).toEqual({ stage: "succeeded", timestamp: t0 + 5_000 });
    expect(t.root.slow.hasSucceeded).toBe(true);
    expect(t.root.slow.isRunning).toBe(false);
    expect(t.root.slow.numSuccesses).toBe(1);
    expect(stages).toEqual(["pending", "running", "succeeded"]);
    // The flow re-ran on each status change it could depend on.
    expect(t.root._seen.map((s) => s.stage)).toEqual(["not_started", "running", "succeeded"]);
  });

  it("before its first call, a work is not_started since it joined the running app", async () => {
    class Root extends LightningFlow {
      idle = new Echo();
      late: Echo | undefined;
      run() {
        if (this.now() > Date.UTC(2026, 0, 1)) this.late ??= new Echo();
      }
    }
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const t = new TestApp<Root>(new LightningApp(new Root()), { clock });
    await t.start();
    expect(t.root.idle.status).toEqual({ stage: "not_started", timestamp: Date.UTC(2026, 0, 1) });
    expect(t.engine.stateDocument().components["root.idle"]?.status).toEqual(t.root.idle.status);
    clock.setTime(Date.UTC(2026, 0, 1, 1));
    t.engine.markDirty();
    await t.settle();
    expect(t.root.late?.status).toEqual({ stage: "not_started", timestamp: Date.UTC(2026, 0, 1, 1) });
  });

  it("a status read by the flow is a copy: changing it changes nothing", async () => {
    class Root extends LightningFlow {
      echo = new Echo();
      run() {
        this.echo.run();
        (this.echo.status as { stage: string }).stage = "failed";
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.root.echo.hasSucceeded).toBe(true);
  });
});

describe("failures", () => {
  class Broken extends LightningWork {
    async run(what: string) {
      throw new Error(`cannot ${what}`);
    }
  }

  it("raiseException true (the default): the app fails with the work's name and message", async () => {
    class Root extends LightningFlow {
      broken = new Broken();
      _after = false;
      run() {
        this.broken.run("train");
        this._after = true;
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.engine.stage).toBe("failed");
    expect(t.result).toMatchObject({ stage: "failed", exitCode: 1 });
    expect(t.result?.error).toBeInstanceOf(WorkFailedError);
    expect((t.result?.error as WorkFailedError).work).toBe("root.broken");
    expect(t.result?.message).toBe("root.broken failed: cannot train");
    expect(t.result?.error?.stack).toContain("cannot train");
    expect(t.root.broken.status).toMatchObject({ stage: "failed", reason: "error", message: "cannot train" });
    expect(t.root._after).toBe(false);
    expect(await t.engine.done).toBe(t.result);
  });

  it("raiseException false: the work is marked failed and the flow branches on hasFailed", async () => {
    class Fallback extends LightningWork {
      async run(reason: string) {
        this.handled = reason;
      }
      handled = "";
    }
    class Root extends LightningFlow {
      broken = new Broken({ raiseException: false });
      fallback = new Fallback();
      run() {
        this.broken.run("train");
        if (this.broken.hasFailed) this.fallback.run(this.broken.status.message ?? "");
      }
    }
    const clock = new FakeClock();
    const t = new TestApp<Root>(new LightningApp(new Root()), { clock });
    await t.start();
    expect(t.engine.stage).toBe("running");
    expect(t.root.broken.hasFailed).toBe(true);
    expect(t.root.broken.status).toEqual({ stage: "failed", timestamp: clock.now(), reason: "error", message: "cannot train" });
    expect(t.root.broken.numSuccesses).toBe(0);
    expect(t.root.fallback.handled).toBe("cannot train");
    // A failed call is not retried on every pass.
    const passes = t.passes;
    await t.settle();
    expect(t.passes).toBe(passes);
  });

  it("a thrown non-Error value still fails the work with its text", async () => {
    class ThrowsString extends LightningWork {
      async run() {
        throw "plain text";
      }
    }
    class Root extends LightningFlow {
      w = new ThrowsString({ raiseException: false });
      run() {
        this.w.run();
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.root.w.status.message).toBe("plain text");
  });
});

describe("work.stop()", () => {
  it("stops a running work: status stopped, its late result ignored", async () => {
    const gate = deferred();
    class Server extends LightningWork {
      served = 0;
      async run(round: number) {
        await gate.promise;
        this.served = round;
      }
    }
    class Root extends LightningFlow {
      server = new Server({ parallel: true });
      stopNow = false;
      run() {
        this.server.run(1);
        if (this.stopNow) this.server.stop();
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await begin(t);
    t.clock.runSoon();
    await flushMicrotasks();
    expect(t.root.server.isRunning).toBe(true);
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/stopNow", value: true }]);
    t.clock.runSoon();
    expect(t.root.server.hasStopped).toBe(true);
    expect(t.root.server.status).toMatchObject({ stage: "stopped", reason: "stopped_by_flow" });
    gate.resolve();
    await t.settle();
    expect(t.root.server.hasStopped).toBe(true);
    expect(t.root.server.numSuccesses).toBe(0);
    expect(t.engine.stage).toBe("running");
  });

  it("a stopped work never becomes pending again", async () => {
    class Root extends LightningFlow {
      echo = new Echo();
      run() {
        this.echo.stop();
        this.echo.run("after stop");
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.root.echo.hasStopped).toBe(true);
    expect(t.root.echo._calls).toEqual([]);
    // run() after stop() is refused clearly (see stopped-work.test.ts), never silently dropped.
    expect(t.result?.error).toMatchObject({ code: "E_WORK_STOPPED" });
  });
});

describe("fields the flow sets on a work", () => {
  it("travel with the work's next call as small ops, which rebuild the work elsewhere", async () => {
    class Trainer extends LightningWork {
      lr = 0.01;
      config: { layers: number[]; name: string } = { layers: [8], name: "a" };
      _seenLr = 0;
      async run(_epoch: number) {
        this._seenLr = this.lr;
      }
    }
    class Root extends LightningFlow {
      trainer = new Trainer();
      run() {
        if (!this.trainer.hasStarted) {
          this.trainer.lr = 0.1;
          this.trainer.config.layers.push(16);
          this.trainer.config.name = "b";
        }
        this.trainer.run(1);
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    const remote = { lr: 0.01, config: { layers: [8], name: "a" } } as Record<string, unknown>;
    const sent: WorkCall[] = [];
    const call = t.executor.call.bind(t.executor);
    t.executor.call = (ref, c) => {
      sent.push(c);
      call(ref, c);
    };
    await t.start();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.delta).toEqual([
      { op: "replace", path: ["lr"], value: 0.1 },
      { op: "add", path: ["config", "layers", "1"], value: 16 },
      { op: "replace", path: ["config", "name"], value: "b" },
    ]);
    for (const op of sent[0]!.delta) applyVarOp(remote, op, "remote copy");
    expect(remote).toEqual({ lr: 0.1, config: { layers: [8, 16], name: "b" } });
    expect(t.root.trainer._seenLr).toBe(0.1);
  });

  it("changes from outside (the UI) to a work's fields are sent with its next call", async () => {
    class Tuned extends LightningWork {
      threshold = 1;
      async run(_round: number) {}
    }
    class Root extends LightningFlow {
      tuned = new Tuned();
      round = 0;
      run() {
        this.tuned.run(this.round);
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    const sent: WorkCall[] = [];
    const call = t.executor.call.bind(t.executor);
    t.executor.call = (ref, c) => {
      sent.push(c);
      call(ref, c);
    };
    await t.start();
    t.engine.applyDelta([
      { op: "replace", path: "/components/root.tuned/vars/threshold", value: 7 },
      { op: "replace", path: "/components/root/vars/round", value: 1 },
    ]);
    await t.settle();
    expect(sent.map((c) => c.delta)).toEqual([[], [{ op: "replace", path: ["threshold"], value: 7 }]]);
  });
});
