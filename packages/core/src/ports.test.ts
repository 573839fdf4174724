/**
 * The engine driven through its ports by an executor that reports events as
 * a worker thread or a remote agent would: deltas, logs, crashes.
 */
import { describe, expect, it } from "vitest";
import { LightningApp, LightningFlow, LightningWork, WorkFailedError } from "./index.ts";
import {
  AppEngine,
  type LogLine,
  type PatchOp,
  type WorkCall,
  type WorkEvent,
  type WorkExecutor,
  type WorkRef,
} from "./internal.ts";
import { replay } from "./test-support/replay.ts";
import { FakeClock } from "./testing/index.ts";

/** An executor whose works run "elsewhere": the test says what they report. */
class RemoteExecutor implements WorkExecutor {
  emit: (event: WorkEvent) => void = () => {};
  calls: { work: string; call: WorkCall }[] = [];
  started: string[] = [];
  stopped: string[] = [];
  closed = false;
  failStart: string | undefined;
  bind(emit: (event: WorkEvent) => void): void {
    this.emit = emit;
  }
  async start(work: WorkRef): Promise<void> {
    this.started.push(work.name);
    if (work.name === this.failStart) throw new Error("cannot spawn worker: out of memory");
  }
  call(work: WorkRef, call: WorkCall): void {
    this.calls.push({ work: work.name, call });
  }
  async stop(work: WorkRef): Promise<void> {
    this.stopped.push(work.name);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

class Train extends LightningWork {
  loss: number | null = null;
  history: number[] = [];
  async run(_epochs: number) {}
}

class Root extends LightningFlow {
  train = new Train({ raiseException: false });
  other = new Train();
  _passes = 0;
  run() {
    this._passes++;
    this.train.run(3);
    if (this.train.hasFailed) this.other.run(1);
  }
}

async function setup(root: LightningFlow = new Root()) {
  const clock = new FakeClock();
  const executor = new RemoteExecutor();
  const engine = new AppEngine(new LightningApp(root), { executor, clock });
  const feed: PatchOp[] = [];
  const logs: LogLine[] = [];
  engine.subscribe((ops) => feed.push(...ops));
  engine.onLog((line) => logs.push(line));
  const before = engine.stateDocument();
  void engine.start();
  await engine.started;
  clock.runSoon();
  const settle = async () => {
    for (let i = 0; i < 10; i++) {
      await Promise.resolve();
      clock.runSoon();
    }
  };
  await settle();
  return { clock, executor, engine, feed, logs, before, settle, root: root as Root };
}

describe("a work reported by its executor", () => {
  it("its deltas are applied in order, re-run the flow, and rebuild the document", async () => {
    const { executor, engine, feed, before, settle, root } = await setup();
    const id = executor.calls[0]!.call.id;
    executor.emit({ type: "started", work: "root.train", callId: id });
    executor.emit({ type: "delta", work: "root.train", ops: [{ op: "replace", path: ["loss"], value: 0.9 }, { op: "add", path: ["history", "0"], value: 0.9 }] });
    executor.emit({ type: "delta", work: "root.train", ops: [{ op: "replace", path: ["loss"], value: 0.5 }, { op: "add", path: ["history", "-"], value: 0.5 }] });
    const passes = engine.pass;
    await settle();
    expect(engine.pass).toBe(passes + 1);
    expect(root.train.loss).toBe(0.5);
    expect(root.train.history).toEqual([0.9, 0.5]);
    executor.emit({ type: "succeeded", work: "root.train", callId: id });
    await settle();
    expect(root.train.hasSucceeded).toBe(true);
    expect(replay(before, feed)).toEqual(engine.stateDocument());
  });

  it("a malformed delta from a work is logged and skipped; the rest applies", async () => {
    const { executor, logs, settle, root, engine } = await setup();
    executor.emit({
      type: "delta",
      work: "root.train",
      ops: [
        { op: "replace", path: ["history", "7"], value: 1 },
        { op: "replace", path: ["loss"], value: 0.1 },
      ],
    });
    await settle();
    expect(root.train.loss).toBe(0.1);
    expect(root.train.history).toEqual([]);
    expect(logs.map((l) => `${l.work} ${l.stream} ${l.line}`)).toEqual([
      'root.train stderr [lit-app] root.train: index 7 is out of range (array length 0)',
    ]);
    expect(engine.stage).toBe("running");
  });

  it("its log lines reach onLog with the work's name and the time", async () => {
    const { executor, logs, clock } = await setup();
    executor.emit({ type: "log", work: "root.train", stream: "stdout", line: "epoch 1" });
    expect(logs).toEqual([{ work: "root.train", stream: "stdout", line: "epoch 1", time: clock.now() }]);
  });

  it("a crash of its thread fails it with reason exited; with raiseException false the flow goes on", async () => {
    const { executor, engine, settle, root } = await setup();
    executor.emit({ type: "exited", work: "root.train", error: { name: "Error", message: "worker exited with code 137" } });
    await settle();
    expect(root.train.status).toMatchObject({ stage: "failed", reason: "exited", message: "worker exited with code 137" });
    expect(engine.stage).toBe("running");
    expect(executor.calls.map((c) => c.work)).toEqual(["root.train", "root.other"]);
    // A late success of the dead call is ignored.
    executor.emit({ type: "succeeded", work: "root.train", callId: executor.calls[0]!.call.id });
    await settle();
    expect(root.train.hasFailed).toBe(true);
    expect(root.train.numSuccesses).toBe(0);
  });

  it("a crash with raiseException true fails the app and closes the executor", async () => {
    class Strict extends LightningFlow {
      train = new Train();
      run() {
        this.train.run(1);
      }
    }
    const { executor, engine, settle } = await setup(new Strict());
    executor.emit({ type: "exited", work: "root.train", error: { name: "Error", message: "out of memory" } });
    await settle();
    const result = await engine.done;
    expect(result).toMatchObject({ stage: "failed", exitCode: 1, message: "root.train failed: out of memory" });
    expect(result.error).toBeInstanceOf(WorkFailedError);
    expect(executor.closed).toBe(true);
  });

  it("a work whose thread cannot start fails as exited", async () => {
    const clock = new FakeClock();
    const executor = new RemoteExecutor();
    executor.failStart = "root.train";
    const engine = new AppEngine(new LightningApp(new Root()), { executor, clock });
    void engine.start();
    await engine.started;
    for (let i = 0; i < 10; i++) {
      await Promise.resolve();
      clock.runSoon();
    }
    expect(engine.work("root.train")?.status).toMatchObject({ stage: "failed", reason: "exited", message: "cannot spawn worker: out of memory" });
  });

  it("a lost link to a work is reported in its log and fails nothing: its call goes on and its result still counts", async () => {
    const { executor, engine, settle, logs, root } = await setup();
    const id = executor.calls[0]!.call.id;
    executor.emit({ type: "started", work: "root.train", callId: id });
    executor.emit({ type: "connection", work: "root.train", state: "lost", message: "root.train: the link to gpu-box is down; the work may still be running" });
    await settle();
    expect(logs).toContainEqual(expect.objectContaining({ work: "root.train", stream: "stderr", line: expect.stringContaining("the link to gpu-box is down") }));
    expect(root.train.isRunning).toBe(true);
    expect(engine.stage).toBe("running");
    executor.emit({ type: "connection", work: "root.train", state: "restored", message: "root.train: the link to gpu-box is back" });
    executor.emit({ type: "succeeded", work: "root.train", callId: id });
    await settle();
    expect(root.train.hasSucceeded).toBe(true);
  });

  it("events for unknown works, unknown calls, or after the app ended are ignored", async () => {
    const { executor, engine, settle, root } = await setup();
    const passes = engine.pass;
    executor.emit({ type: "succeeded", work: "root.nope", callId: "nope.1" });
    executor.emit({ type: "succeeded", work: "root.train", callId: "nope.999999" });
    await settle();
    expect(engine.pass).toBe(passes);
    expect(root.train.isPending).toBe(true);
    await engine.stop();
    executor.emit({ type: "delta", work: "root.train", ops: [{ op: "replace", path: ["loss"], value: 1 }] });
    expect(root.train.loss).toBeNull();
  });

  it("work.stop() reaches the executor once", async () => {
    class Stopper extends LightningFlow {
      train = new Train({ parallel: true });
      run() {
        this.train.run(1);
        this.train.stop();
        this.train.stop();
      }
    }
    const { executor, root } = await setup(new Stopper());
    expect(executor.stopped).toEqual(["root.train"]);
    expect(root.train.hasStopped).toBe(true);
  });
});
