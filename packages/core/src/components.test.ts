/** The component tree's API: names, works(), flows, options, Dict and List, single-work apps. */
import { describe, expect, it } from "vitest";
import { CloudCompute, Dict, LightningApp, LightningFlow, LightningWork, List } from "./index.ts";
import { isFlow, type WorkRef } from "./internal.ts";
import { TestApp } from "./testing/index.ts";

class Job extends LightningWork {
  done = 0;
  async run(by = 1) {
    this.done += by;
  }
}

describe("an app of a single work (the seed's first example)", () => {
  it("runs the work once, under a root flow", async () => {
    const work = new Job({ cloudCompute: new CloudCompute("gpu") });
    const t = new TestApp(new LightningApp(work));
    await t.start();
    expect(work.name).toBe("root.work");
    expect(work.done).toBe(1);
    expect(work.numSuccesses).toBe(1);
    expect(Object.keys(t.engine.stateDocument().components)).toEqual(["root", "root.work"]);
    expect(t.engine.stateDocument().components["root.work"]?.compute?.name).toBe("gpu");
  });

  it("LightningApp refuses anything else, saying what it takes", () => {
    expect(() => new LightningApp({} as never)).toThrow("LightningApp takes a LightningFlow or a LightningWork as its root.");
  });
});

describe("flows", () => {
  class Leaf extends LightningFlow {
    job = new Job();
    run() {
      this.job.run();
    }
  }
  class Root extends LightningFlow {
    a = new Job();
    left = new Leaf();
    pool = new Dict<Job>([["x", new Job()]]);
    run() {
      this.a.run();
      this.left.run();
    }
  }

  it("name, works(), flows, ready and the default layout", async () => {
    const root = new Root();
    expect(root.name).toBe("Root");
    const t = new TestApp<Root>(new LightningApp(root));
    await t.start();
    expect(root.name).toBe("root");
    expect(root.left.name).toBe("root.left");
    expect(root.works().map((w) => w.name)).toEqual(["root.a", "root.left.job", "root.pool.x"]);
    expect(root.left.works().map((w) => w.name)).toEqual(["root.left.job"]);
    expect(Object.keys(root.flows)).toEqual(["root.left"]);
    expect(root.ready).toBe(true);
    expect(root.configureLayout()).toBeUndefined();
    expect(isFlow(root.left)).toBe(true);
    expect(isFlow(root.a)).toBe(false);
    expect([...t.engine.components()].map((c) => c.name)).toEqual(["root", "root.a", "root.left", "root.left.job", "root.pool.x"]);
  });

  it("setting a child field to null detaches the child and stops its works", async () => {
    class Holder extends LightningFlow {
      job: Job | null = new Job({ parallel: true });
      drop = false;
      run() {
        if (this.drop) this.job = null;
        else this.job?.run();
      }
    }
    const t = new TestApp<Holder>(new LightningApp(new Holder()));
    await t.start();
    const job = t.root.job!;
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/drop", value: true }]);
    await t.settle();
    expect(t.root.job).toBeNull();
    expect(job.hasStopped).toBe(true);
    expect(t.engine.stateDocument().components).not.toHaveProperty("root.job");
    expect(t.engine.stateDocument().components.root?.vars).toEqual({ job: null, drop: true });
  });
});

describe("work options", () => {
  it("are readable on the work, with their defaults", () => {
    const plain = new Job();
    expect([plain.parallel, plain.cacheCalls, plain.raiseException, plain.startWithFlow]).toEqual([false, true, true, true]);
    expect(plain.cloudCompute.name).toBe("default");
    expect(plain.port).toBeUndefined();
    expect(plain.url).toBe("");
    expect(plain.host).toBe("127.0.0.1");
    const tuned = new Job({ parallel: true, cacheCalls: false, raiseException: false, startWithFlow: false, port: 7000 });
    expect([tuned.parallel, tuned.cacheCalls, tuned.raiseException, tuned.startWithFlow, tuned.port]).toEqual([true, false, false, false, 7000]);
  });

  it("startWithFlow: true starts the work with the app; false at its first call", async () => {
    class Root extends LightningFlow {
      eager = new Job();
      lazy = new Job({ startWithFlow: false });
      go = false;
      run() {
        if (this.go) this.lazy.run();
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    const started: string[] = [];
    const start = t.executor.start.bind(t.executor);
    t.executor.start = (ref: WorkRef) => {
      started.push(ref.name);
      return start(ref);
    };
    await t.start();
    expect(started).toEqual(["root.eager"]);
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/go", value: true }]);
    await t.settle();
    expect(started).toEqual(["root.eager", "root.lazy"]);
    expect(t.root.eager.hasStarted).toBe(false);
  });

  it("a work's compute travels to the executor", async () => {
    class Root extends LightningFlow {
      train = new Job({ cloudCompute: new CloudCompute("gpu-fast", { diskSize: 50, shmSize: 512 }) });
      run() {
        this.train.run();
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    const refs: WorkRef[] = [];
    const call = t.executor.call.bind(t.executor);
    t.executor.call = (ref, c) => {
      refs.push(ref);
      call(ref, c);
    };
    await t.start();
    expect(refs[0]?.compute).toEqual({ name: "gpu-fast", diskSize: 50, idleTimeout: null, shmSize: 512, gpus: 1 });
    expect(refs[0]?.isolation).toBeUndefined();
    expect(refs[0]?.className).toBe("Job");
    expect(refs[0]?.state()).toEqual({ done: 1 });
  });

  it('a work\'s isolation: "process" and its memory limit travel to the executor', async () => {
    class Root extends LightningFlow {
      train = new Job({ isolation: "process", cloudCompute: new CloudCompute("cpu", { memoryMiB: 2048 }) });
      run() {
        this.train.run();
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    const refs: WorkRef[] = [];
    const call = t.executor.call.bind(t.executor);
    t.executor.call = (ref, c) => {
      refs.push(ref);
      call(ref, c);
    };
    await t.start();
    expect(refs[0]?.isolation).toBe("process");
    expect(refs[0]?.compute.memoryMiB).toBe(2048);
  });
});

describe("Dict and List", () => {
  it("Dict behaves like a Map of children", async () => {
    class Root extends LightningFlow {
      jobs = new Dict<Job>();
      run() {
        if (this.jobs.size === 0) for (const k of ["a", "b", "c"]) this.jobs.set(k, new Job());
        this.jobs.forEach((job, key) => job.run(key.charCodeAt(0) - 96));
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    const jobs = t.root.jobs;
    expect([...jobs.keys()]).toEqual(["a", "b", "c"]);
    expect([...jobs.values()].map((j) => j.done)).toEqual([1, 2, 3]);
    expect([...jobs].map(([k, j]) => `${k}=${j.name}`)).toEqual(["a=root.jobs.a", "b=root.jobs.b", "c=root.jobs.c"]);
    expect(jobs.get("zzz")).toBeUndefined();
    const b = jobs.get("b")!;
    expect(jobs.delete("b")).toBe(true);
    expect(jobs.delete("b")).toBe(false);
    expect(b.hasStopped).toBe(true);
    jobs.clear();
    expect(jobs.size).toBe(0);
    await t.settle();
    expect(Object.keys(t.engine.stateDocument().components).filter((n) => n.startsWith("root.jobs."))).toEqual([
      "root.jobs.a",
      "root.jobs.b",
      "root.jobs.c",
    ]);
  });

  it("replacing a Dict item stops the one it replaces", async () => {
    class Root extends LightningFlow {
      jobs = new Dict<Job>();
      round = 0;
      _replaced = false;
      run() {
        if (this.round === 1 && !this._replaced) {
          this._replaced = true;
          this.jobs.set("a", new Job({ parallel: true }));
        }
        if (!this.jobs.has("a")) this.jobs.set("a", new Job({ parallel: true }));
        this.jobs.get("a")!.run(10);
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    const first = t.root.jobs.get("a")!;
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/round", value: 1 }]);
    await t.settle();
    const second = t.root.jobs.get("a")!;
    expect(second).not.toBe(first);
    expect(first.hasStopped).toBe(true);
    expect(second.done).toBe(10);
    expect(second.name).toBe("root.jobs.a");
  });

  it("List behaves like an array of children", async () => {
    const list = new List<Job>([new Job(), new Job()]);
    class Root extends LightningFlow {
      items = list;
      run() {}
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(list.length).toBe(2);
    expect(list.push(new Job())).toBe(3);
    expect(list.map((j, i) => `${i}:${j.name}`)).toEqual(["0:root.items.0", "1:root.items.1", "2:root.items.2"]);
    expect(list.at(0)?.name).toBe("root.items.0");
    expect(list.at(-1)?.name).toBe("root.items.2");
    const popped = list.pop()!;
    expect(popped.hasStopped || !popped.hasStarted).toBe(true);
    expect(list.length).toBe(2);
    expect(new List().pop()).toBeUndefined();
    await t.settle();
    expect(t.engine.work("root.items.2")).toBeUndefined();
    expect(t.engine.work("root.items.1")?.name).toBe("root.items.1");
  });
});
