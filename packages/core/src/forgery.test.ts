/**
 * Framework values (Path, Drive, Payload, CloudCompute) are made by the
 * framework only: client data that looks like one of their tags stays data,
 * and an origin must name a work of the app.
 */
import { describe, expect, it } from "vitest";
import {
  LightningApp,
  LightningFlow,
  LightningWork,
  Path,
  type JsonValue,
} from "./index.ts";
import {
  AppEngine,
  decodeState,
  encodeState,
  loadWork,
  type WorkEvent,
} from "./internal.ts";
import { MemoryStorage } from "./test-support/memory-storage.ts";
import { FakeClock, InProcessExecutor, TestApp } from "./testing/index.ts";

const FORGED = { $lit: "Path", path: "secret.txt", origin: "root.vault", consumers: [] };

class Vault extends LightningWork {
  secret: Path | null = null;
  async run() {
    this.secret = new Path("secret.txt");
  }
}

class Reader extends LightningWork {
  input: unknown = null;
  received: { isPath: boolean; json: string } | null = null;
  async run(_round: number) {
    this.received = { isPath: this.input instanceof Path, json: JSON.stringify(this.input) };
  }
}

class Root extends LightningFlow {
  vault = new Vault();
  reader = new Reader();
  round = 0;
  run() {
    this.vault.run();
    this.reader.run(this.round);
  }
}

describe("a client that writes a framework value's tag", () => {
  it("stores plain data: the work receives an object, not a Path, and no file is copied", async () => {
    const storage = new MemoryStorage();
    storage.write("root.vault", "secret.txt", "top secret");
    const t = new TestApp<Root>(new LightningApp(new Root()), { storage });
    await t.start();
    t.engine.applyDelta([
      { op: "replace", path: "/components/root.reader/vars/input", value: FORGED },
      { op: "replace", path: "/components/root/vars/round", value: 1 },
    ]);
    await t.settle();
    expect(t.root.reader.received).toEqual({ isPath: false, json: JSON.stringify(FORGED) });
    expect(t.root.reader.input).toEqual(FORGED);
    expect(storage.calls.filter((c) => c.op === "materialize")).toEqual([]);
    expect(storage.root("root.reader").has("secret.txt")).toBe(false);
  });

  it("reads back the way it is stored, and writing that back changes nothing", async () => {
    const t = new TestApp<Root>(new LightningApp(new Root()), { storage: new MemoryStorage() });
    await t.start();
    t.engine.applyDelta([{ op: "replace", path: "/components/root.reader/vars/input", value: { nested: [FORGED] } }]);
    const shown = t.engine.stateDocument().components["root.reader"]!.vars.input;
    expect(shown).toEqual({ nested: [{ $lit: "Object", value: FORGED }] });
    t.engine.applyDelta([{ op: "replace", path: "/components/root.reader/vars/input", value: shown }]);
    expect(t.root.reader.input).toEqual({ nested: [FORGED] });
    expect(t.engine.stateDocument().components["root.reader"]!.vars.input).toEqual(shown);
    t.engine.applyDelta([{ op: "test", path: "/components/root.reader/vars/input", value: shown }]);
  });

  it("every tag, Drive, Payload and CloudCompute too, stays data through encode and decode", () => {
    for (const tag of [
      FORGED,
      { $lit: "Drive", id: "shared", allowDuplicates: true },
      { $lit: "Payload", origin: "root.vault", hash: "a".repeat(64), size: 2, kind: "json" },
      { $lit: "CloudCompute", name: "gpu" },
      { $lit: "Object", value: { $lit: "Path" } },
      { $lit: 3 },
    ]) {
      const data = { field: tag, list: [tag] };
      const wire = JSON.parse(JSON.stringify(encodeState(data))) as JsonValue;
      expect(decodeState(wire)).toEqual(data);
    }
  });
});

describe("on the work's side (a worker thread, a remote process)", () => {
  it("data with a tag arrives as data in the snapshot, in deltas and in arguments; real Paths still arrive as Paths", async () => {
    const path = decodeState({ $lit: "Path", path: "real.txt", origin: "root.vault", consumers: [] });
    const loaded = loadWork({
      app: undefined,
      name: "root.reader",
      className: "Reader",
      constructorOptions: {},
      state: { input: encodeState({ forged: FORGED, real: path }) as JsonValue, received: null },
      exports: { Reader },
      onOp: () => undefined,
      now: () => 0,
    });
    const work = loaded.work as Reader;
    expect(work.input).toMatchObject({ forged: FORGED });
    expect((work.input as { real: unknown }).real).toBeInstanceOf(Path);
    loaded.applyOps([{ op: "replace", path: ["input"], value: encodeState([FORGED]) }]);
    expect(work.input).toEqual([FORGED]);
    await loaded.run([0]);
    expect(work.received).toEqual({ isPath: false, json: JSON.stringify([FORGED]) });
  });
});

/** An executor whose works also report what a test makes them say, like a work on another thread. */
class TalkingExecutor extends InProcessExecutor {
  private report: (event: WorkEvent) => void = () => {};
  override bind(emit: (event: WorkEvent) => void): void {
    this.report = emit;
    super.bind(emit);
  }
  say(event: WorkEvent): void {
    this.report(event);
  }
}

describe("a Path or Payload from a work", () => {
  it("whose origin names no work of the app is refused with the reason, and the app goes on", async () => {
    const executor = new TalkingExecutor({ storage: new MemoryStorage() });
    const clock = new FakeClock();
    const engine = new AppEngine(new LightningApp(new Root()), { executor, clock });
    const logs: string[] = [];
    engine.onLog((line) => logs.push(line.line));
    void engine.start();
    await engine.started;
    const ghost = encodeState(new Path("x.txt"));
    expect(ghost).toMatchObject({ $lit: "Path", path: "x.txt" });
    executor.say({ type: "delta", work: "root.reader", ops: [{ op: "replace", path: ["input"], value: { $lit: "Path", path: "x.txt", origin: "root.nobody", consumers: [] } }] });
    executor.say({
      type: "delta",
      work: "root.reader",
      ops: [{ op: "replace", path: ["input"], value: { $lit: "Payload", origin: "../elsewhere", hash: "a".repeat(64), size: 1, kind: "json" } }],
    });
    executor.say({ type: "delta", work: "root.reader", ops: [{ op: "replace", path: ["input"], value: { $lit: "Path", path: "y.txt", origin: "root.vault", consumers: [] } }] });
    expect(logs.filter((l) => l.includes("root.nobody"))).toEqual([expect.stringMatching(/origin "root\.nobody" is not a work of this app/)]);
    expect(logs.filter((l) => l.includes("../elsewhere"))).toEqual([expect.stringMatching(/origin "\.\.\/elsewhere" is not a work of this app/)]);
    const input = (coreInput(engine) as Path | null);
    expect(input).toBeInstanceOf(Path);
    expect(input?.origin).toBe("root.vault");
    expect(engine.stage).toBe("running");
    await engine.stop();
  });
});

function coreInput(engine: AppEngine): unknown {
  return (engine.app.root as Root).reader.input;
}
