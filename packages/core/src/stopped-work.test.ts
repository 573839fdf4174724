/** `run()` on a work the flow stopped: a stopped work does not run again; asking it to fails clearly. */
import { describe, expect, it } from "vitest";
import { LightningApp, LightningFlow, LightningWork, WorkStoppedError } from "./index.ts";
import { deferred, flushMicrotasks } from "./test-support/deferred.ts";
import { TestApp } from "./testing/index.ts";

class Echo extends LightningWork {
  _calls: unknown[][] = [];
  async run(...args: unknown[]) {
    this._calls.push(args);
  }
}

describe("run() on a stopped work", () => {
  it("with a call the work still has to run: fails the app at that line, saying what to do", async () => {
    class Root extends LightningFlow {
      echo = new Echo();
      run() {
        this.echo.run("first");
        this.echo.stop();
        this.echo.run("second");
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.root.echo._calls).toEqual([["first"]]);
    expect(t.result).toMatchObject({ stage: "failed", exitCode: 1 });
    const error = t.result?.error;
    expect(error).toBeInstanceOf(WorkStoppedError);
    expect(error).toMatchObject({ code: "E_WORK_STOPPED", work: "root.echo" });
    expect(error?.message).toBe(
      "root.echo.run() was called after root.echo.stop(): a stopped work does not run again. " +
        "To run it again, put a new Echo in its place (assign it to the same field, or set it in the Dict or List) and call run() on that; " +
        "or check root.echo.hasStopped before calling run().",
    );
    expect(error?.stack).toContain("stopped-work.test.ts");
  });

  it("with the call it was running when stopped: does nothing and does not block, and the log says so once", async () => {
    let release = () => {};
    class Server extends LightningWork {
      async run() {
        await new Promise<void>((resolve) => (release = resolve));
      }
    }
    class Root extends LightningFlow {
      server = new Server();
      stopNow = false;
      after = false;
      run() {
        if (this.stopNow) this.server.stop();
        this.server.run();
        this.after = true;
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    void t.engine.start();
    await t.engine.started;
    t.clock.runSoon();
    await Promise.resolve();
    await Promise.resolve();
    expect(t.root.server.isRunning).toBe(true);
    expect(t.root.after).toBe(false);
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/stopNow", value: true }]);
    t.clock.runSoon();
    release();
    await t.settle();
    // The flow went on past the stopped call, in this pass and the ones after.
    expect(t.root.after).toBe(true);
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/after", value: false }]);
    await t.settle();
    expect(t.root.after).toBe(true);
    expect(t.engine.stage).toBe("running");
    expect(t.root.server.hasStopped).toBe(true);
    expect(t.logs.filter((l) => l.work === "root.server").map((l) => l.line)).toEqual([
      "[lit-app] root.server.run() does nothing: root.server was stopped, and a stopped work does not run again. " +
        "To run it again, put a new Server in its place; check root.server.hasStopped before calling run() to silence this.",
    ]);
  });

  it("called again later with the arguments of the call it was stopped in: not silent either", async () => {
    const served = deferred();
    class Notebook extends LightningWork {
      async run(_user: string) {
        await served.promise; // serves until stopped
      }
    }
    class Root extends LightningFlow {
      notebook = new Notebook({ parallel: true });
      want = true;
      run() {
        if (this.want) this.notebook.run("alice");
        else this.notebook.stop();
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    void t.engine.start();
    await t.engine.started;
    t.clock.runSoon();
    await flushMicrotasks();
    expect(t.root.notebook.isRunning).toBe(true);
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/want", value: false }]);
    t.clock.runSoon();
    expect(t.root.notebook.hasStopped).toBe(true);
    served.resolve();
    await t.settle();
    expect(t.logs).toEqual([]);
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/want", value: true }]);
    await t.settle();
    expect(t.root.notebook.hasStopped).toBe(true);
    expect(t.logs.map((l) => l.line)).toEqual([
      "[lit-app] root.notebook.run() does nothing: root.notebook was stopped, and a stopped work does not run again. " +
        "To run it again, put a new Notebook in its place; check root.notebook.hasStopped before calling run() to silence this.",
    ]);
  });

  it("with a call that already succeeded (cacheCalls): a no-op, the flow goes on", async () => {
    class Root extends LightningFlow {
      train = new Echo();
      analyze = new Echo();
      run() {
        this.train.run(5);
        if (!this.train.hasStopped) this.train.stop();
        this.analyze.run("after training");
        this.stop("done");
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.result).toMatchObject({ stage: "stopped", exitCode: 0, message: "done" });
    expect(t.root.train._calls).toEqual([[5]]);
    expect(t.root.analyze._calls).toEqual([["after training"]]);
  });

  it("a new work put in the stopped one's place runs", async () => {
    class Root extends LightningFlow {
      echo = new Echo();
      round = 1;
      run() {
        if (this.echo.hasStopped) this.echo = new Echo();
        this.echo.run(this.round);
        if (this.round === 1) {
          this.echo.stop();
          this.round = 2;
        }
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.engine.stage).toBe("running");
    expect(t.root.echo._calls).toEqual([[2]]);
    expect(t.root.echo.hasSucceeded).toBe(true);
  });
});
