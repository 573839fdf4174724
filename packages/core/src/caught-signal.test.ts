/**
 * A try/catch in a flow's run() that swallows lit-app's control signals (the wait of a
 * blocking work.run(), the end of stop()) does not break the flow's order, and is reported.
 */
import { describe, expect, it } from "vitest";
import { LightningApp, LightningFlow, LightningWork } from "./index.ts";
import { flushMicrotasks } from "./test-support/deferred.ts";
import { TestApp } from "./testing/index.ts";

const order: string[] = [];

class Step extends LightningWork {
  async run(label: string) {
    order.push(`${label} starts`);
    await flushMicrotasks(10);
    order.push(`${label} ends`);
  }
}

const waitWarning =
  "[lit-app] root.run() went on after root.a.run() ended the pass (root.a has not finished its call): a try/catch in the run() of root " +
  "(or of a flow that calls it) caught lit-app's signal and did not rethrow it. The code after that line ran before root.a finished; " +
  "work calls, stop() and fail() there were held back. In the catch, rethrow lit-app's signals first: if (L.isControlSignal(e)) throw e;";

describe("a try/catch in run() that swallows the wait of a blocking work.run()", () => {
  it("holds back the work calls after it until the work has finished, and says so once", async () => {
    order.length = 0;
    class Root extends LightningFlow {
      a = new Step();
      b = new Step();
      caught = 0;
      run() {
        try {
          this.a.run("A");
        } catch {
          this.caught = 1;
        }
        this.b.run("B");
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(order).toEqual(["A starts", "A ends", "B starts", "B ends"]);
    expect(t.root.b.hasSucceeded).toBe(true);
    expect(t.engine.stage).toBe("running");
    expect(t.logs.map((l) => l.line)).toEqual([waitWarning]);
    expect(t.logs[0]?.work).toBe("root");
  });

  it("holds back this.stop() after it: the app ends once the work has finished", async () => {
    order.length = 0;
    class Root extends LightningFlow {
      a = new Step();
      run() {
        try {
          this.a.run("A");
        } catch {
          // swallowed
        }
        this.stop("done");
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(order).toEqual(["A starts", "A ends"]);
    expect(t.result).toMatchObject({ stage: "stopped", exitCode: 0, message: "done" });
    expect(t.logs.map((l) => l.line)).toEqual([waitWarning]);
  });

  it("in a child flow, named by the work's flow; a catch that rethrows the signal is fine", async () => {
    order.length = 0;
    class Child extends LightningFlow {
      a = new Step();
      run() {
        try {
          this.a.run("A");
        } catch {
          // swallowed
        }
      }
    }
    class Root extends LightningFlow {
      child = new Child();
      b = new Step();
      run() {
        try {
          this.child.run();
        } catch (error) {
          throw error;
        }
        this.b.run("B");
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(order).toEqual(["A starts", "A ends", "B starts", "B ends"]);
    expect(t.logs.map((l) => l.line)).toEqual([
      waitWarning.replaceAll("root.a", "root.child.a").replace("the run() of root (or", "the run() of root.child (or"),
    ]);
  });
});

describe("a try/catch in run() that swallows the signal of this.stop()", () => {
  it("the app still ends as asked; work calls after it are held back, and the log says so", async () => {
    order.length = 0;
    class Root extends LightningFlow {
      a = new Step();
      run() {
        try {
          this.stop("done");
        } catch {
          // swallowed
        }
        this.a.run("A");
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.result).toMatchObject({ stage: "stopped", exitCode: 0, message: "done" });
    expect(order).toEqual([]);
    expect(t.root.a.status.stage).toBe("not_started");
    expect(t.logs.map((l) => l.line)).toEqual([
      "[lit-app] root.stop() ended the app, but a try/catch in the run() of root (or of a flow that calls it) caught lit-app's signal " +
        "and did not rethrow it, so the code after that line ran; work calls, stop() and fail() there were held back. " +
        "In the catch, rethrow lit-app's signals first: if (L.isControlSignal(e)) throw e;",
    ]);
  });
});
