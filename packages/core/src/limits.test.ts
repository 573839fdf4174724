/**
 * A delta's cost is bounded: the state has a size limit, a patch has limits
 * on its operations, on the bytes it writes and on nesting, all checked
 * before anything is applied; handlers are bound by the same limits.
 */
import { describe, expect, it } from "vitest";
import { LightningApp, LightningFlow, LightningWork, StateLimitError, type AppOptions } from "./index.ts";
import { DEFAULT_LIMITS, type PatchOp } from "./internal.ts";
import { TestApp } from "./testing/index.ts";

class Holder extends LightningWork {
  log: string[] = [];
  async run(n: number) {
    for (let i = 0; i < n; i++) this.log.push(`line ${i}`);
    this.log.splice(0, 2);
    this.log[0] = "first";
  }
}

class Root extends LightningFlow {
  items: number[] = Array.from({ length: 1000 }, (_, i) => i);
  note = "";
  tree: unknown = {};
  holder = new Holder({ startWithFlow: false });
  lines = 0;
  _passes = 0;
  run() {
    this._passes++;
    if (this.lines) this.holder.run(this.lines);
  }
  grow(text: string) {
    this.note += text;
  }
}

const ITEMS = "/components/root/vars/items";

async function app(options: AppOptions = {}): Promise<TestApp<Root>> {
  const t = new TestApp<Root>(new LightningApp(new Root(), options));
  await t.start();
  return t;
}

function refusal(t: TestApp<Root>, patch: unknown): { error: StateLimitError; ms: number } {
  const t0 = performance.now();
  try {
    t.engine.applyDelta(patch);
  } catch (error) {
    const ms = performance.now() - t0;
    expect(error).toBeInstanceOf(StateLimitError);
    return { error: error as StateLimitError, ms };
  }
  throw new Error("expected the patch to be refused");
}

async function unchanged(t: TestApp<Root>, run: () => void): Promise<void> {
  const doc = JSON.stringify(t.engine.stateDocument());
  const passes = t.passes;
  const feed = t.changes.length;
  run();
  await t.settle();
  expect(JSON.stringify(t.engine.stateDocument())).toBe(doc);
  expect(t.passes).toBe(passes);
  expect(t.changes.length).toBe(feed);
  expect(t.engine.stage).toBe("running");
}

describe("a patch over the limits is refused at once, with nothing applied", () => {
  it("40 copy operations, each copying an array into itself", async () => {
    const t = await app();
    const patch = Array.from({ length: 40 }, () => ({ op: "copy", from: ITEMS, path: `${ITEMS}/-` }));
    await unchanged(t, () => {
      const { error, ms } = refusal(t, patch);
      expect(error).toMatchObject({ code: "E_STATE_LIMIT", limit: "patchBytes" });
      expect(error.message).toMatch(/operation \d+ \(\/components\/root\/vars\/items\/-\): the patch would write more than 1 MiB/);
      expect(ms).toBeLessThan(500);
    });
  });

  it("moves count what they move: moving a large value back and forth is bounded too", async () => {
    const t = await app({ limits: { maxPatchBytes: 20_000 } });
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/tree", value: { a: Array.from({ length: 1000 }, (_, i) => i) } }]);
    await t.settle();
    const patch: PatchOp[] = [];
    for (let i = 0; i < 100; i++) {
      patch.push({ op: "move", from: "/components/root/vars/tree/a", path: "/components/root/vars/tree/b" }, { op: "move", from: "/components/root/vars/tree/b", path: "/components/root/vars/tree/a" });
    }
    await unchanged(t, () => expect(refusal(t, patch).error).toMatchObject({ limit: "patchBytes" }));
  });

  it("add and replace values count their encoded size", async () => {
    const t = await app({ limits: { maxPatchBytes: 10_000 } });
    await unchanged(t, () => {
      const error = refusal(t, [
        { op: "replace", path: "/components/root/vars/note", value: "x".repeat(6000) },
        { op: "add", path: `${ITEMS}/-`, value: "y".repeat(6000) },
      ]).error;
      expect(error.message).toContain("operation 1");
      expect(error.message).toContain("maxPatchBytes");
    });
  });

  it("more operations than maxPatchOps", async () => {
    const t = await app();
    const patch = Array.from({ length: DEFAULT_LIMITS.maxPatchOps + 1 }, (_, i) => ({ op: "replace", path: "/components/root/vars/note", value: `n${i}` }));
    await unchanged(t, () => expect(refusal(t, patch).error).toMatchObject({ limit: "patchOps" }));
  });

  it("a value nested deeper than maxDepth, in add, replace, or through a copy", async () => {
    const t = await app({ limits: { maxDepth: 10 } });
    let deep: unknown = 1;
    for (let i = 0; i < 10; i++) deep = [deep];
    await unchanged(t, () => {
      expect(refusal(t, [{ op: "replace", path: "/components/root/vars/tree", value: { a: deep } }]).error).toMatchObject({ limit: "depth", field: "tree" });
    });
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/tree", value: { a: [[[[1]]]] } }]);
    await t.settle();
    await unchanged(t, () => {
      const patch = Array.from({ length: 8 }, () => ({ op: "copy", from: "/components/root/vars/tree/a", path: "/components/root/vars/tree/a/0" }));
      expect(refusal(t, patch).error).toMatchObject({ limit: "depth" });
    });
  });

  it("a very deep value costs no stack", async () => {
    const t = await app();
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    await unchanged(t, () => expect(refusal(t, [{ op: "replace", path: "/components/root/vars/tree", value: deep }]).error).toMatchObject({ limit: "depth" }));
  });

  it("a patch that would take the state past maxStateBytes", async () => {
    const t = await app({ limits: { maxStateBytes: 40_000 } });
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/note", value: "x".repeat(20_000) }]);
    await t.settle();
    await unchanged(t, () => {
      const error = refusal(t, [{ op: "add", path: "/components/root/vars/tree/more", value: "y".repeat(20_000) }]).error;
      expect(error).toMatchObject({ limit: "stateBytes" });
      expect(error.message).toMatch(/the app's state would be \d+ bytes, over its limit of 40000 bytes \(maxStateBytes\)/);
    });
    // Shrinking is always allowed.
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/note", value: "" }]);
    t.engine.applyDelta([{ op: "add", path: "/components/root/vars/tree/more", value: "y".repeat(20_000) }]);
  });
});

describe("within the limits", () => {
  it("a large valid patch applies whole, quickly", async () => {
    const t = await app();
    const patch: PatchOp[] = Array.from({ length: DEFAULT_LIMITS.maxPatchOps }, (_, i) => ({ op: "add", path: `${ITEMS}/-`, value: "v".repeat(900) + i }));
    const t0 = performance.now();
    t.engine.applyDelta(patch);
    const ms = performance.now() - t0;
    await t.settle();
    expect(t.root.items.length).toBe(2000);
    expect(ms).toBeLessThan(1000);
  });

  it("the state's size is kept up to date through patches, the flow's and the works' changes, without measuring it whole", async () => {
    const t = await app();
    const measured = () => {
      let size = 0;
      for (const c of Object.values(t.engine.stateDocument().components)) size += JSON.stringify(c.vars).length;
      return size;
    };
    const close = () => expect(Math.abs(t.engine.stateSize() - measured())).toBeLessThanOrEqual(measured() * 0.02 + 16);
    close();
    t.engine.applyDelta([
      { op: "add", path: `${ITEMS}/3`, value: 1234567 },
      { op: "remove", path: `${ITEMS}/10` },
      { op: "replace", path: "/components/root/vars/tree", value: { a: { b: [1, 2, 3] } } },
      { op: "copy", from: "/components/root/vars/tree/a", path: "/components/root/vars/tree/c" },
      { op: "move", from: "/components/root/vars/tree/a/b", path: "/components/root/vars/tree/d" },
    ]);
    close();
    t.engine.runInLoop(() => {
      t.root.items.splice(0, 500);
      t.root.items[0] = 42;
      t.root.note = "hello";
    });
    close();
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/lines", value: 300 }]);
    await t.settle();
    expect(t.root.holder.log.length).toBe(298);
    close();
  });

  it("handlers are bound by the state limit: the write that would pass it throws and is not made", async () => {
    const t = await app({ limits: { maxStateBytes: 30_000 } });
    t.engine.runInLoop(() => t.root.grow("x".repeat(10_000)));
    expect(() => t.engine.runInLoop(() => t.root.grow("y".repeat(20_000)))).toThrow(StateLimitError);
    expect(t.root.note).toBe("x".repeat(10_000));
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => t.engine.runInLoop(() => (t.root.tree = deep))).toThrow(/nested more than 64 levels deep/);
    await t.settle();
    expect(t.engine.stage).toBe("running");
  });

  it("a work's own changes are not refused for the state's size; passing the limit is reported once", async () => {
    const t = await app({ limits: { maxStateBytes: 20_000 } });
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/lines", value: 2000 }]);
    await t.settle();
    expect(t.root.holder.log.length).toBe(1998);
    expect(t.engine.stateSize()).toBeGreaterThan(20_000);
    const reports = t.logs.filter((l) => l.line.includes("over its limit of 20000 bytes (maxStateBytes)"));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.line).toContain("clients' patches and handlers that add to it are refused until it shrinks");
    expect(t.engine.stage).toBe("running");
    expect(refusal(t, [{ op: "replace", path: "/components/root/vars/note", value: "more" }]).error).toMatchObject({ limit: "stateBytes" });
  });

  it("limits are checked when the app is made", () => {
    expect(() => new LightningApp(new Root(), { limits: { maxStateBytes: -1 } })).toThrow(/maxStateBytes must be a positive integer/);
    expect(() => new LightningApp(new Root(), { limits: { maxDepth: 1.5 } as never })).toThrow(/maxDepth must be a positive integer/);
    expect(() => new LightningApp(new Root(), { limits: { maxTotal: 1 } as never })).toThrow(/unknown limit "maxTotal"/);
  });
});
