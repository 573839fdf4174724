/** Nested mutation of state becomes small operations in the change feed, in order. */
import { describe, expect, it } from "vitest";
import { LightningApp, LightningFlow, LightningWork, StateValueError } from "./index.ts";
import { applyVarOp, type PatchOp } from "./internal.ts";
import { replay } from "./test-support/replay.ts";
import { TestApp } from "./testing/index.ts";

type Mutation = (work: Collector) => void;

class Collector extends LightningWork {
  results: number[] = [];
  config: { model: { layers: number[]; name: string }; tags: Record<string, string> } = {
    model: { layers: [8], name: "small" },
    tags: {},
  };
  _mutation: Mutation = () => {};
  async run() {
    this._mutation(this);
  }
}

class Root extends LightningFlow {
  collector = new Collector();
  run() {
    this.collector.run();
  }
}

/** Runs `mutation` inside the work's run() and returns the ops of its vars, and the app. */
async function mutate(mutation: Mutation, setup?: (work: Collector) => void) {
  const root = new Root();
  setup?.(root.collector);
  root.collector._mutation = mutation;
  const t = new TestApp<Root>(new LightningApp(root));
  const before = t.engine.stateDocument();
  await t.start();
  const ops = t.changes.filter((op) => op.path.startsWith("/components/root.collector/vars"));
  expect(replay(before, t.changes)).toEqual(t.engine.stateDocument());
  return { t, ops: ops.map((op) => ({ ...op, path: op.path.slice("/components/root.collector/vars".length) })) };
}

describe("nested mutation in a work", () => {
  it("push appends one add per item", async () => {
    const { ops, t } = await mutate((w) => w.results.push(1, 2));
    expect(ops).toEqual([
      { op: "add", path: "/results/0", value: 1 },
      { op: "add", path: "/results/1", value: 2 },
    ]);
    expect(t.root.collector.results).toEqual([1, 2]);
  });

  it("setting a nested object's field is one replace at its path", async () => {
    const { ops } = await mutate((w) => {
      w.config.model.name = "large";
      w.config.tags.owner = "alice";
      w.config.model.layers[0] = 16;
    });
    expect(ops).toEqual([
      { op: "replace", path: "/config/model/name", value: "large" },
      { op: "add", path: "/config/tags/owner", value: "alice" },
      { op: "replace", path: "/config/model/layers/0", value: 16 },
    ]);
  });

  it("delete of a nested key is a remove", async () => {
    const { ops, t } = await mutate(
      (w) => {
        delete w.config.tags.stale;
      },
      (w) => (w.config = { ...w.config, tags: { stale: "x", keep: "y" } }),
    );
    expect(ops).toEqual([{ op: "remove", path: "/config/tags/stale" }]);
    expect(t.root.collector.config.tags).toEqual({ keep: "y" });
  });

  it("splice, shift, unshift, sort, reverse and pop rebuild the same array elsewhere", async () => {
    const script: Mutation = (w) => {
      w.results.splice(1, 2, 10, 11, 12);
      w.results.shift();
      w.results.unshift(-1);
      w.results.sort((a, b) => b - a);
      w.results.reverse();
      w.results.pop();
      w.results.fill(7, 0, 1);
    };
    const expected = [5, 4, 3, 2, 1];
    script({ results: expected } as Collector);
    const { ops, t } = await mutate(script, (w) => (w.results = [5, 4, 3, 2, 1]));
    expect(t.root.collector.results).toEqual(expected);
    expect(ops.every((op) => op.path.startsWith("/results/"))).toBe(true);
    // The same ops, as VarOps, rebuild the array on another copy of the work.
    const remote: Record<string, unknown> = { results: [5, 4, 3, 2, 1] };
    for (const op of ops as PatchOp[]) {
      const path = op.path.slice(1).split("/");
      applyVarOp(remote, { op: op.op as "add", path, ...(op.op === "remove" ? {} : { value: op.value! }) }, "remote");
    }
    expect(remote.results).toEqual(expected);
  });

  it("an op's size is the change's, not the state's", async () => {
    const { ops } = await mutate(
      (w) => {
        w.results.push(42);
        w.config.tags.k5000 = "changed";
      },
      (w) => {
        w.results = Array.from({ length: 10_000 }, (_, i) => i);
        w.config = { ...w.config, tags: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, "v"])) };
      },
    );
    expect(ops).toEqual([
      { op: "add", path: "/results/10000", value: 42 },
      { op: "replace", path: "/config/tags/k5000", value: "changed" },
    ]);
  });

  it("an unchanged value records nothing", async () => {
    const { ops } = await mutate((w) => {
      w.config.model.name = "small";
      w.config.model = { layers: [8], name: "small" };
      w.results.length = 0;
    });
    expect(ops).toEqual([]);
  });

  it("a value read before it was replaced is detached: writing to it changes nothing", async () => {
    const { ops, t } = await mutate((w) => {
      const old = w.config.model;
      w.config.model = { layers: [], name: "new" };
      old.name = "ghost";
      old.layers.push(1);
    });
    expect(ops).toEqual([{ op: "replace", path: "/config/model", value: { layers: [], name: "new" } }]);
    expect(t.root.collector.config.model).toEqual({ layers: [], name: "new" });
  });

  it("growing an array into holes is refused with a way out", async () => {
    const { t } = await mutate((w) => {
      w.results[3] = 1;
    });
    expect(t.result?.error?.message).toContain("setting index 3 of an array of length 0 leaves holes, which are not state; push values instead.");
    expect(t.root.collector.status.stage).toBe("failed");
  });

  it("each change re-runs the flow, which sees it", async () => {
    class Progress extends LightningWork {
      steps: string[] = [];
      async run() {
        for (const s of ["load", "train", "save"]) {
          this.steps.push(s);
          await Promise.resolve();
        }
      }
    }
    class Watch extends LightningFlow {
      progress = new Progress({ parallel: true });
      _seen: string[][] = [];
      run() {
        this.progress.run();
        this._seen.push([...this.progress.steps]);
      }
    }
    const t = new TestApp<Watch>(new LightningApp(new Watch()));
    await t.start();
    expect(t.root._seen[0]).toEqual([]);
    expect(t.root._seen.at(-1)).toEqual(["load", "train", "save"]);
    expect(t.root.progress.steps).toEqual(["load", "train", "save"]);
  });
});

describe("nested mutation in a flow", () => {
  it("is recorded and causes one more pass, then the app settles", async () => {
    class Counter extends LightningFlow {
      log: { pass: number }[] = [];
      run() {
        if (this.log.length < 3) this.log.push({ pass: this.log.length });
      }
    }
    const t = new TestApp<Counter>(new LightningApp(new Counter()));
    await t.start();
    expect(t.root.log).toEqual([{ pass: 0 }, { pass: 1 }, { pass: 2 }]);
    expect(t.passes).toBe(4);
    expect(t.changes.filter((c) => c.path.startsWith("/components/root/vars"))).toEqual([
      { op: "add", path: "/components/root/vars/log/0", value: { pass: 0 } },
      { op: "add", path: "/components/root/vars/log/1", value: { pass: 1 } },
      { op: "add", path: "/components/root/vars/log/2", value: { pass: 2 } },
    ]);
  });

  it("a bad value in a nested write is refused before anything changes", async () => {
    class Bad extends LightningFlow {
      cfg = { list: [1] };
      _error: unknown;
      run() {
        try {
          if (this.cfg.list.length === 1) this.cfg.list.push(2, (() => 3) as never);
        } catch (error) {
          this._error = error;
        }
      }
    }
    const t = new TestApp<Bad>(new LightningApp(new Bad()));
    await t.start();
    expect(t.root._error).toBeInstanceOf(StateValueError);
    expect((t.root._error as Error).message).toContain('root: field "cfg.list[2]" holds a function');
    expect(t.engine.stateDocument().components.root?.vars).toEqual({ cfg: { list: [1, 2] } });
  });
});
