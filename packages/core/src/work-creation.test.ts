/**
 * A work created inside a flow's run() is rebuilt where it runs from its
 * class: the engine asks its executor at the `new` whether that can be done
 * (WorkExecutor.canRebuild), and a class that cannot fails the flow at that
 * line. Driven through the in-process executor, answering as a worker
 * thread's executor would once it has looked through the app's modules.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isControlSignal, LightningApp, LightningFlow, LightningWork, WorkClassError } from "./index.ts";
import { AppEngine, type LogLine, type WorkCall, type WorkEvent, type WorkExecutor, type WorkRef } from "./internal.ts";
import { FakeClock, InProcessExecutor, TestApp } from "./testing/index.ts";

/** The line of this file that holds `marker`. */
function lineOf(marker: string): number {
  return readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").findIndex((l) => l.includes(marker) && !l.includes("lineOf(")) + 1;
}

/** The in-process executor, answering for classes as an executor that rebuilds works elsewhere would. */
class AnsweringExecutor implements WorkExecutor {
  readonly asked: string[] = [];
  readonly starts: string[] = [];
  pending: { cls: Function; resolve: (answer: boolean) => void }[] = [];
  private readonly inner = new InProcessExecutor();
  constructor(private readonly answer: (cls: Function) => boolean | "later") {}
  canRebuild(cls: Function): boolean | Promise<boolean> {
    this.asked.push(cls.name);
    const answer = this.answer(cls);
    if (answer !== "later") return answer;
    return new Promise((resolve) => this.pending.push({ cls, resolve }));
  }
  bind(emit: (event: WorkEvent) => void): void {
    this.inner.bind(emit);
  }
  start(work: WorkRef): Promise<void> {
    this.starts.push(work.name);
    return this.inner.start(work);
  }
  call(work: WorkRef, call: WorkCall): void {
    this.inner.call(work, call);
  }
  stop(work: WorkRef): Promise<void> {
    return this.inner.stop(work);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  idle(): Promise<void> {
    return this.inner.idle();
  }
}

async function run(root: LightningFlow, executor: AnsweringExecutor) {
  const clock = new FakeClock();
  const engine = new AppEngine(new LightningApp(root), { executor, clock });
  const logs: LogLine[] = [];
  engine.onLog((line) => logs.push(line));
  void engine.start();
  await engine.started;
  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      clock.runSoon();
      await executor.idle();
      await Promise.resolve();
    }
  };
  await settle();
  return { engine, logs, settle };
}

/**
 * Work classes new to this thread: a class a flow created once is known here afterwards (as it
 * would be in a work's thread that loaded it), so each test makes its own.
 */
function newClasses() {
  class Shown extends LightningWork {
    done = false;
    async run() {
      this.done = true;
    }
  }
  class Unseen extends LightningWork {
    async run() {}
  }
  return { Shown, Unseen };
}

describe("a work created inside run() whose class cannot be rebuilt where it runs", () => {
  it("fails the flow at the `new`, naming the class and the line, before anything after it runs", async () => {
    const { Shown, Unseen } = newClasses();
    const executor = new AnsweringExecutor((cls) => cls !== Unseen);
    const after: string[] = [];
    class Root extends LightningFlow {
      shown: InstanceType<typeof Shown> | null = null;
      unseen: InstanceType<typeof Unseen> | null = null;
      run() {
        this.shown ??= new Shown();
        this.shown.run();
        this.unseen ??= new Unseen(); // the unseen creation
        after.push("after the new");
      }
    }
    const { engine } = await run(new Root(), executor);
    expect(engine.stage).toBe("failed");
    const error = engine.result?.error;
    expect(error).toBeInstanceOf(WorkClassError);
    expect((error as WorkClassError).code).toBe("E_WORK_CLASS");
    const line = lineOf("// the unseen creation");
    expect(error?.message).toMatch(
      new RegExp(`^the work's class Unseen, created at \\S*work-creation\\.test\\.ts:${line}:\\d+, is exported from no module of the app`),
    );
    expect(error?.message).toContain("Write `export class Unseen` in the module that defines it.");
    // The stack starts at that line, not in the framework or the class.
    expect(error?.stack?.split("\n")[1]).toMatch(new RegExp(`work-creation\\.test\\.ts:${line}:\\d+\\)?$`));
    // The user's frames only: from the `new` to the flow's run() (here one frame).
    expect(error?.stack?.split("\n")).toHaveLength(2);
    expect(after).toEqual([]);
    expect(executor.asked).toEqual(["Shown", "Unseen"]);
    expect(executor.starts).not.toContain("root.unseen");
  });

  it("a try/catch in run() around the `new` gets the error there", async () => {
    const { Shown, Unseen } = newClasses();
    const executor = new AnsweringExecutor((cls) => cls !== Unseen);
    const caught: string[] = [];
    class Root extends LightningFlow {
      unseen: InstanceType<typeof Unseen> | null = null;
      run() {
        try {
          this.unseen ??= new Unseen();
        } catch (error) {
          if (isControlSignal(error)) throw error;
          caught.push((error as WorkClassError).code);
          this.stop("gave up");
        }
      }
    }
    const { engine } = await run(new Root(), executor);
    expect(caught).toEqual(["E_WORK_CLASS"]);
    expect(engine.result).toMatchObject({ stage: "stopped", message: "gave up" });
  });

  it("while the executor looks, the pass ends at the `new`; the flow runs again with the answer", async () => {
    const { Shown, Unseen } = newClasses();
    const executor = new AnsweringExecutor(() => "later");
    const passes: string[] = [];
    class Root extends LightningFlow {
      shown: InstanceType<typeof Shown> | null = null;
      run() {
        passes.push("before");
        this.shown ??= new Shown();
        passes.push("after");
        this.shown.run();
      }
    }
    const { engine, settle } = await run(new Root(), executor);
    expect(passes).toEqual(["before"]);
    expect(engine.stage).toBe("running");
    expect(executor.pending.map((p) => p.cls)).toEqual([Shown]);
    executor.pending[0]!.resolve(true);
    await settle();
    expect(passes).toEqual(["before", "before", "after", "before", "after"]);
    expect((engine.app.root as Root).shown?.done).toBe(true);
    // Asked once: the answer holds for the class.
    expect(executor.asked).toEqual(["Shown"]);
  });

  it("a `no` that comes later fails the flow at the `new` when it runs again", async () => {
    const { Shown, Unseen } = newClasses();
    const executor = new AnsweringExecutor(() => "later");
    class Root extends LightningFlow {
      unseen: InstanceType<typeof Unseen> | null = null;
      run() {
        this.unseen ??= new Unseen(); // created again
      }
    }
    const { engine, settle } = await run(new Root(), executor);
    executor.pending[0]!.resolve(false);
    await settle();
    expect(engine.stage).toBe("failed");
    expect(engine.result?.error?.message).toMatch(new RegExp(`created at \\S*work-creation\\.test\\.ts:${lineOf("// created again")}:`));
  });

  it("a try/catch that swallows the wait is reported, and its work calls held back", async () => {
    const { Shown, Unseen } = newClasses();
    const executor = new AnsweringExecutor(() => "later");
    class Root extends LightningFlow {
      shown = new Shown();
      unseen: InstanceType<typeof Unseen> | null = null;
      run() {
        try {
          this.unseen ??= new Unseen();
        } catch {
          // swallowed
        }
        this.shown.run();
      }
    }
    const { engine, logs } = await run(new Root(), executor);
    expect(logs.map((l) => l.line).join("\n")).toMatch(/root\.run\(\) went on after new Unseen\(\) ended the pass.*if \(L\.isControlSignal\(e\)\) throw e;/);
    expect((engine.app.root as Root).shown.done).toBe(false);
  });

  it("classes known in the flow's thread when the app starts (those of the tree its module builds) are not asked about", async () => {
    // Named as no other class of this file: the thread knows its classes by name.
    class InTree extends LightningWork {
      done = false;
      async run() {
        this.done = true;
      }
    }
    const executor = new AnsweringExecutor(() => false);
    class Root extends LightningFlow {
      first = new InTree();
      again: InTree | null = null;
      run() {
        this.again ??= new InTree();
        this.again.run();
      }
    }
    const { engine } = await run(new Root(), executor);
    expect(executor.asked).toEqual([]);
    expect((engine.app.root as Root).again?.done).toBe(true);
  });
});

describe("TestApp's in-process executor", () => {
  it("runs a work of any class created inside run(): the flow's own instance runs", async () => {
    class Local extends LightningWork {
      value = 0;
      async run(n: number) {
        this.value = n;
      }
    }
    class Root extends LightningFlow {
      local: Local | null = null;
      run() {
        this.local ??= new Local();
        this.local.run(7);
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.executor.canRebuild(Local)).toBe(true);
    expect(t.root.local?.value).toBe(7);
    expect(t.engine.stage).toBe("running");
  });
});
