/** What is state: public fields, private `_fields`, copies, framework value types, the document. */
import { describe, expect, it } from "vitest";
import { CloudCompute, LightningApp, LightningFlow, LightningWork } from "./index.ts";
import { decodeState, encodeState, registerStateType, toStateValue } from "./internal.ts";
import { TestApp } from "./testing/index.ts";

class Worker extends LightningWork {
  losses: number[] = [];
  best: { epoch: number; loss: number } | null = null;
  _handle: { close(): void } | undefined;
  async run(epochs: number) {
    for (let i = 0; i < epochs; i++) this.losses.push(1 / (i + 1));
    this.best = { epoch: epochs - 1, loss: 1 / epochs };
    this._handle = { close() {} };
  }
}

class Root extends LightningFlow {
  message = "hello";
  counts = { a: 1 };
  compute = new CloudCompute("gpu", { diskSize: 20 });
  worker = new Worker({ cloudCompute: new CloudCompute("cpu-medium") });
  _cache = new Map<string, number>();
  _fn = () => 1;
  run() {
    this.worker.run(2);
  }
}

describe("state", () => {
  it("public fields are state; _fields and children are not", async () => {
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    const doc = t.engine.stateDocument();
    expect(Object.keys(doc.components.root!.vars)).toEqual(["message", "counts", "compute"]);
    expect(Object.keys(doc.components["root.worker"]!.vars)).toEqual(["losses", "best"]);
    expect(t.root._cache).toBeInstanceOf(Map);
    expect(t.root._fn()).toBe(1);
  });

  it("the state document has the documented shape", async () => {
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    const now = t.clock.now();
    expect(t.engine.stateDocument()).toEqual({
      stage: "running",
      components: {
        root: {
          kind: "flow",
          vars: {
            message: "hello",
            counts: { a: 1 },
            compute: { $lit: "CloudCompute", name: "gpu", diskSize: 20, idleTimeout: null, shmSize: 0, gpus: 1 },
          },
        },
        "root.worker": {
          kind: "work",
          vars: { losses: [1, 0.5], best: { epoch: 1, loss: 0.5 } },
          status: { stage: "succeeded", timestamp: now },
          compute: { name: "cpu-medium", diskSize: 0, idleTimeout: null, shmSize: 0, gpus: 0 },
          url: "",
        },
      },
    });
    expect(JSON.parse(JSON.stringify(t.engine.stateDocument()))).toEqual(t.engine.stateDocument());
  });

  it("an assigned value is copied: changing the original later changes nothing", async () => {
    const source = { items: [1, 2], meta: { owner: "alice" } };
    class Holder extends LightningFlow {
      data: typeof source | null = null;
      run() {
        this.data ??= source;
      }
    }
    const t = new TestApp<Holder>(new LightningApp(new Holder()));
    await t.start();
    source.items.push(3);
    source.meta.owner = "mallory";
    expect(t.root.data).toEqual({ items: [1, 2], meta: { owner: "alice" } });
  });

  it("setting undefined removes a field; setting it again adds it back", async () => {
    class Toggle extends LightningFlow {
      note: string | undefined = "x";
      run() {}
    }
    const t = new TestApp<Toggle>(new LightningApp(new Toggle()));
    await t.start();
    const from = t.changes.length;
    t.root.note = undefined;
    expect(t.engine.stateDocument().components.root?.vars).toEqual({});
    t.root.note = "y";
    t.root.note = "y";
    await t.settle();
    expect(t.changes.slice(from)).toEqual([
      { op: "remove", path: "/components/root/vars/note" },
      { op: "add", path: "/components/root/vars/note", value: "y" },
    ]);
  });

  it("a CloudCompute in state survives encode/decode as a CloudCompute", () => {
    const value = toStateValue({ c: new CloudCompute("gpu-fast-multi") }, { component: "test", path: ["x"] });
    const json = encodeState(value);
    expect(json).toEqual({ c: { $lit: "CloudCompute", name: "gpu-fast-multi", diskSize: 0, idleTimeout: null, shmSize: 0, gpus: 4 } });
    const back = decodeState(JSON.parse(JSON.stringify(json))) as { c: CloudCompute };
    expect(back.c).toBeInstanceOf(CloudCompute);
    expect(back.c.gpus).toBe(4);
    const limited = encodeState(toStateValue({ c: new CloudCompute("cpu", { memoryMiB: 512 }) }, { component: "test", path: ["x"] }));
    expect((decodeState(JSON.parse(JSON.stringify(limited))) as { c: CloudCompute }).c.memoryMiB).toBe(512);
    expect(() => decodeState({ $lit: "NoSuchType" })).toThrow('holds a value of unknown type "NoSuchType": is the package that defines it loaded?');
  });

  it("registered state types may be stored; others are refused", () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    class Other {}
    registerStateType<Money>({
      tag: "test.Money",
      type: Money,
      toJSON: (m) => ({ cents: m.cents }),
      fromJSON: (j) => new Money(j.cents as number),
    });
    const stored = toStateValue([new Money(250)], { component: "root", path: ["prices"] }) as Money[];
    expect(stored[0]).toBeInstanceOf(Money);
    expect(encodeState(stored)).toEqual([{ $lit: "test.Money", cents: 250 }]);
    expect((decodeState(encodeState(stored)) as Money[])[0]?.cents).toBe(250);
    expect(() => toStateValue([new Other()], { component: "root", path: ["prices"] })).toThrow(
      'root: field "prices[0]" holds an instance of Other',
    );
  });

  it("objects with a null prototype are plain data", () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(toStateValue(bare, { component: "root", path: ["x"] })).toEqual({ a: 1 });
  });

  it("a work's fields read by the flow reflect what its run() set", async () => {
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.root.worker.losses).toEqual([1, 0.5]);
    expect(t.root.worker.best).toEqual({ epoch: 1, loss: 0.5 });
    expect(t.root.worker._handle).toBeDefined();
  });
});
