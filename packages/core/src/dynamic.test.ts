/** Children created at run time: the "Dynamic Work" notebook manager, Dict, List, `??=`. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CloudCompute, Dict, LightningApp, LightningFlow, LightningWork, List } from "./index.ts";
import { workCreation } from "./internal.ts";
import { replay } from "./test-support/replay.ts";
import { TestApp } from "./testing/index.ts";

interface NotebookRequest {
  username: string;
  useGpu: boolean;
  token: string | null;
  stop: boolean;
  ready?: boolean;
}

class JupyterLabWork extends LightningWork {
  token: string | null = null;
  async run() {
    this.token = `token-${this.name.split(".").at(-1)}`;
  }
}

/** The seed's JupyterLabManager, without the UI: the UI's clicks arrive as external deltas. */
class JupyterLabManager extends LightningFlow {
  jupyterWorks = new Dict<JupyterLabWork>();
  jupyterConfigRequests: NotebookRequest[] = [];

  run() {
    for (let idx = this.jupyterConfigRequests.length - 1; idx >= 0; idx--) {
      const config = this.jupyterConfigRequests[idx]!;
      const username = config.username;
      if (!this.jupyterWorks.has(username)) {
        config.ready = false;
        const cloudCompute = new CloudCompute(config.useGpu ? "gpu" : "cpu-small");
        this.jupyterWorks.set(username, new JupyterLabWork({ cloudCompute, parallel: true }));
      }
      const work = this.jupyterWorks.get(username)!;
      work.run();
      if (work.token && config.token !== work.token) {
        config.token = work.token;
        config.ready = true;
      }
      if (config.stop) {
        work.stop();
        this.jupyterConfigRequests.splice(idx, 1);
      }
    }
  }
}

const REQUESTS = "/components/root/vars/jupyterConfigRequests";

function request(username: string, useGpu: boolean): NotebookRequest {
  return { username, useGpu, token: null, stop: false };
}

describe("dynamic works: the notebook manager", () => {
  it("creates one work per request, named under the Dict, and stops it on request", async () => {
    const t = new TestApp<JupyterLabManager>(new LightningApp(new JupyterLabManager()));
    await t.start();
    expect(t.root.jupyterWorks.size).toBe(0);
    const initialPasses = t.passes;

    // The UI appends a request (the seed's `state.jupyter_config_requests + new_config`).
    t.engine.applyDelta([{ op: "add", path: `${REQUESTS}/-`, value: request("alice", false) as never }]);
    await t.settle();

    expect(t.passes).toBeGreaterThan(initialPasses);
    const alice = t.root.jupyterWorks.get("alice")!;
    expect(alice.name).toBe("root.jupyterWorks.alice");
    expect(alice.hasSucceeded).toBe(true);
    expect(alice.cloudCompute.name).toBe("cpu-small");
    expect(t.root.jupyterConfigRequests).toEqual([{ ...request("alice", false), token: "token-alice", ready: true }]);
    const doc = t.engine.stateDocument();
    expect(doc.components["root.jupyterWorks.alice"]).toMatchObject({
      kind: "work",
      vars: { token: "token-alice" },
      status: { stage: "succeeded" },
      compute: { name: "cpu-small", gpus: 0 },
    });

    t.engine.applyDelta([{ op: "add", path: `${REQUESTS}/-`, value: request("bob", true) as never }]);
    await t.settle();
    const bob = t.root.jupyterWorks.get("bob")!;
    expect(bob.name).toBe("root.jupyterWorks.bob");
    expect(bob.cloudCompute.name).toBe("gpu");
    expect(bob.hasSucceeded).toBe(true);
    expect([...t.root.jupyterWorks.keys()]).toEqual(["alice", "bob"]);
    expect(t.root.works().map((w) => w.name)).toEqual(["root.jupyterWorks.alice", "root.jupyterWorks.bob"]);

    // The UI's stop button sets `stop` on alice's request.
    t.engine.applyDelta([{ op: "replace", path: `${REQUESTS}/0/stop`, value: true }]);
    await t.settle();
    expect(alice.hasStopped).toBe(true);
    expect(alice.status).toMatchObject({ stage: "stopped", reason: "stopped_by_flow" });
    expect(bob.hasSucceeded).toBe(true);
    expect(t.root.jupyterConfigRequests.map((r) => r.username)).toEqual(["bob"]);
    expect(t.engine.stateDocument().components["root.jupyterWorks.alice"]?.status?.stage).toBe("stopped");

    // Settled: nothing changes any more, so no pass runs.
    const passes = t.passes;
    await t.advance(60_000);
    expect(t.passes).toBe(passes);
  });

  it("the change feed rebuilds the state document exactly", async () => {
    const t = new TestApp<JupyterLabManager>(new LightningApp(new JupyterLabManager()));
    const before = t.engine.stateDocument();
    await t.start();
    t.engine.applyDelta([{ op: "add", path: `${REQUESTS}/-`, value: request("alice", false) as never }]);
    t.engine.applyDelta([{ op: "add", path: `${REQUESTS}/-`, value: request("bob", true) as never }]);
    await t.settle();
    t.engine.applyDelta([{ op: "replace", path: `${REQUESTS}/1/stop`, value: true }]);
    await t.settle();
    expect(replay(before, t.changes)).toEqual(t.engine.stateDocument());
  });
});

describe("dynamic children", () => {
  class Counter extends LightningWork {
    count = 0;
    async run(by: number) {
      this.count += by;
    }
  }

  it("a work attached in run() with ??= is started on its first call", async () => {
    class Root extends LightningFlow {
      work: Counter | undefined;
      run() {
        this.work ??= new Counter();
        this.work.run(2);
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.root.work?.name).toBe("root.work");
    expect(t.root.work?.count).toBe(2);
    expect(t.engine.work("root.work")?.status.stage).toBe("succeeded");
    expect(Object.keys(t.engine.stateDocument().components)).toEqual(["root", "root.work"]);
  });

  it("a work created inside run() remembers its class and the line that created it; one built with the app does not", async () => {
    class Root extends LightningFlow {
      fixed = new Counter();
      work: Counter | undefined;
      run() {
        this.work ??= new Counter(); // the creation line
        this.work.run(1);
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(workCreation(t.root.fixed)).toBeUndefined();
    const created = workCreation(t.root.work!);
    expect(created?.cls).toBe(Counter);
    const line = readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").findIndex((l) => l.includes("// the creation line")) + 1;
    expect(created?.site.stack).toMatch(new RegExp(`dynamic\\.test\\.ts:${line}:`));
  });

  it("a List names its items by index and runs each", async () => {
    class Root extends LightningFlow {
      items = new List<Counter>();
      run() {
        while (this.items.length < 3) this.items.push(new Counter());
        this.items.forEach((w, i) => w.run(i + 1));
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.root.items.map((w) => [w.name, w.count])).toEqual([
      ["root.items.0", 1],
      ["root.items.1", 2],
      ["root.items.2", 3],
    ]);
    expect(t.root.items.at(-1)?.name).toBe("root.items.2");
  });

  it("child flows with their own works get nested names", async () => {
    class Child extends LightningFlow {
      counter = new Counter();
      run() {
        this.counter.run(5);
      }
    }
    class Root extends LightningFlow {
      teams = new Dict<Child>();
      run() {
        if (!this.teams.has("red")) this.teams.set("red", new Child());
        for (const child of this.teams.values()) child.run();
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    const red = t.root.teams.get("red")!;
    expect(red.name).toBe("root.teams.red");
    expect(red.counter.name).toBe("root.teams.red.counter");
    expect(red.counter.count).toBe(5);
    expect(Object.keys(t.root.flows)).toEqual(["root.teams.red"]);
    expect(t.engine.stateDocument().components["root.teams.red"]).toEqual({ kind: "flow", vars: {} });
  });

  it("deleting a Dict item stops its work and removes it from the state document", async () => {
    class Root extends LightningFlow {
      pool = new Dict<Counter>();
      drop = false;
      run() {
        if (this.drop) {
          this.pool.delete("a");
          return;
        }
        if (!this.pool.has("a")) this.pool.set("a", new Counter({ parallel: true }));
        this.pool.get("a")!.run(1);
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    const a = t.root.pool.get("a")!;
    expect(a.count).toBe(1);
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/drop", value: true }]);
    await t.settle();
    expect(t.root.pool.has("a")).toBe(false);
    expect(a.hasStopped).toBe(true);
    expect(t.engine.work("root.pool.a")).toBeUndefined();
    expect(t.engine.stateDocument().components["root.pool.a"]).toBeUndefined();
    expect(t.changes).toContainEqual({ op: "remove", path: "/components/root.pool.a" });
  });
});
