/**
 * A work with `isolation: "process"` under the thread executor runs in a child process of
 * its own: its output (a last line without a newline too) is the work's log, and stopping it
 * ends its process group, whatever the work started in it.
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { afterEach, describe, expect, it } from "vitest";
import { AppEngine, type WorkEvent } from "@lit-app/core/internal";
import { WorkerThreadExecutor } from "./executor.ts";
import { testClock } from "./test-support/clock.ts";
import { until } from "./test-support/until.ts";

const APP = new URL("../test/fixtures/process-tree-app.ts", import.meta.url).href;
(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

let runtime: AppEngine | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

/** True while `pid` runs (a zombie no longer does). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

describe('a work with isolation: "process"', () => {
  it("runs in its own process, prints through the flow, and is stopped with everything it started", async () => {
    const { default: app } = await import("../test/fixtures/process-tree-app.ts");
    const root = app.root as import("../test/fixtures/process-tree-app.ts").Root;
    const executor = new WorkerThreadExecutor({ appModule: APP });
    const events: WorkEvent[] = [];
    const bind = executor.bind.bind(executor);
    executor.bind = (emit) => bind((e) => (events.push(e), emit(e)));
    runtime = new AppEngine(app, { executor, clock: testClock });
    void runtime.start();
    await until(() => root.sleeper.childPid > 0, "the work to start its own process");
    expect(root.sleeper.pid).not.toBe(process.pid);
    expect(running(root.sleeper.pid)).toBe(true);
    expect(running(root.sleeper.childPid)).toBe(true);
    await until(() => events.some((e) => e.type === "log" && e.line === "no newline at the end"), "the work's output");
    expect(events).toContainEqual({ type: "log", work: "root.sleeper", stream: "stdout", line: "no newline at the end" });
    runtime.applyDelta([{ op: "replace", path: "/components/root/vars/halt", value: true }]);
    await until(() => root.sleeper.hasStopped, "the work to stop");
    await until(() => !running(root.sleeper.pid) && !running(root.sleeper.childPid), "its processes to end", 5000);
  });
});
