import { afterEach, describe, expect, it, vi } from "vitest";
import type { LightningApp } from "@lit-app/core";
import type { AppEngine, WorkEvent } from "@lit-app/core/internal";
import { testClock } from "./test-support/clock.ts";
import { until } from "./test-support/until.ts";

const APP = new URL("../test/fixtures/sync-app.ts", import.meta.url).href;
(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

type Root = import("../test/fixtures/sync-app.ts").Root;

let runtime: AppEngine | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

/** Loads a fresh copy of the fixture app (a new module instance per test). */
type Fixture = typeof import("../test/fixtures/sync-app.ts");

type Loaded = Fixture & { core: typeof import("@lit-app/core/internal"); executors: typeof import("./executor.ts") };

/** A fresh module graph per test: the fixture app, and the core and executor it goes with. */
async function loadModule(): Promise<Loaded> {
  vi.resetModules();
  const fixture = (await import("../test/fixtures/sync-app.ts")) as Fixture;
  return { ...fixture, core: await import("@lit-app/core/internal"), executors: await import("./executor.ts") };
}

type Kind = "WorkerThreadExecutor" | "WorkerProcessExecutor";

function start(mod: Loaded, kind: Kind = "WorkerThreadExecutor"): { runtime: AppEngine; events: WorkEvent[]; root: Root } {
  const app: LightningApp = mod.default;
  const executor = new mod.executors[kind]({ appModule: APP });
  const events: WorkEvent[] = [];
  const bind = executor.bind.bind(executor);
  executor.bind = (emit) => bind((e) => (events.push(e), emit(e)));
  runtime = new mod.core.AppEngine(app, { executor, clock: testClock });
  void runtime.start();
  return { runtime, events, root: app.root as Root };
}

// The same works in threads and, each in an OS process of its own, in processes (their channel: fd 3).
describe.each(["WorkerThreadExecutor", "WorkerProcessExecutor"] as const)("%s", (kind) => {
  it("brings a work's nested changes to the flow as small deltas, and the flow's changes to the work before its call", async () => {
    const { root, events, runtime: rt } = start(await loadModule(), kind);
    await rt.started;
    rt.applyDelta([
      { op: "replace", path: "/components/root.recorder/vars/message", value: "hello from the flow" },
      { op: "replace", path: "/components/root/vars/record", value: 3 },
    ]);
    await until(() => root.recorder.hasSucceeded, "the call to succeed");
    expect(root.recorder.results).toEqual([0, 1, 2]);
    expect(root.recorder.config).toEqual({ lr: 0.05, tags: ["run-3"] });
    expect(root.recorder.seenFromFlow).toBe("hello from the flow");
    const ops = events.flatMap((e) => (e.type === "delta" ? e.ops : []));
    expect(ops).toContainEqual({ op: "add", path: ["results", "2"], value: 2 });
    expect(ops).toContainEqual({ op: "add", path: ["config", "tags", "0"], value: "run-3" });
    // The last delta arrives before the result: once succeeded, nothing of the call is missing.
    const lastDelta = events.map((e) => e.type).lastIndexOf("delta");
    expect(lastDelta).toBeLessThan(events.map((e) => e.type).indexOf("succeeded"));
  });

  it("marks a work whose thread exits as failed and keeps the app running", async () => {
    const { root, runtime: rt } = start(await loadModule(), kind);
    await rt.started;
    rt.applyDelta([{ op: "replace", path: "/components/root/vars/exit", value: true }]);
    await until(() => root.exiter.hasFailed, "the exiting work to fail");
    expect(root.exiter.status.reason).toBe("exited");
    expect(root.exiter.status.message).toMatch(
      new RegExp(`the work's ${kind === "WorkerThreadExecutor" ? "thread" : "process"} ended with exit code 3: process\\.exit\\(3\\) was called at`),
    );
    expect(rt.stage).toBe("running");
  });

  it("rebuilds a work created at run time from its exported class", async () => {
    const mod = await loadModule();
    const { root, events, runtime: rt } = start(mod, kind);
    await rt.started;
    rt.applyDelta([{ op: "replace", path: "/components/root/vars/spawn", value: true }]);
    await until(() => root.late?.hasSucceeded === true, "the run-time work to finish");
    expect(root.late).toBeInstanceOf(mod.Late);
    expect(root.late!.label).toBe("late:hi");
    expect(events).toContainEqual({ type: "log", work: "root.late", stream: "stdout", line: "late says hi" });
  });

  it("fails the flow at the line that created a work whose class no module of the app exports, before starting it", async () => {
    const { root, events, runtime: rt } = start(await loadModule(), kind);
    await rt.started;
    rt.applyDelta([{ op: "replace", path: "/components/root/vars/hide", value: true }]);
    const result = await rt.done;
    expect(result.stage).toBe("failed");
    expect(result.error?.name).toBe("WorkClassError");
    expect(result.message).toMatch(
      /class Hidden, created at \S*test\/fixtures\/sync-app\.ts:54:\d+, is exported from no module of the app.*`export class Hidden`/,
    );
    expect(result.error?.stack?.split("\n")[1]).toMatch(/test\/fixtures\/sync-app\.ts:54:\d+\)?$/);
    expect(root.hidden).toBeUndefined();
    expect(events.filter((e) => e.work === "root.hidden")).toEqual([]);
  });
});
