/**
 * Each work in its own OS process, on request, on Bun, Node and Deno: app-wide with
 * `lit run --isolation process` (Node) or LIT_ISOLATION=process (`bun run`, `deno run -A`),
 * per work with `isolation: "process"` (test/fixtures/isolation-app.ts). A work in a process
 * that allocates without bound is ended at its CloudCompute's `memoryMiB` and fails with
 * reason `out of memory` while the app and the other works go on; on Node and Deno a heap
 * limit (`--heap-mb`) ends it through V8's own out-of-memory error, reported the same way.
 */
import { describe, expect, it } from "vitest";
import { example, fixture, isAlive, runApp, RUNTIMES, type AppProcess, type Runtime } from "./test-support/app-process.ts";

const ISOLATED = fixture("isolation-app.ts");

/** Runs `file` with every work in its own process: the flag on Node (lit run), the environment on Bun and Deno. */
function runIsolated(runtime: Runtime, file: string, env: Record<string, string> = {}, litArgs: string[] = []) {
  return runApp(runtime, file, {
    env: { LIT_NO_SERVER: "1", ...(runtime === "node" ? {} : { LIT_ISOLATION: "process" }), ...env },
    litArgs: runtime === "node" ? ["--isolation", "process", ...litArgs] : litArgs,
  });
}

function pidOf(app: AppProcess, pattern: RegExp): number {
  const line = app.lines.find((l) => pattern.test(l.text));
  return Number(line?.text.match(/pid (\d+)/)?.[1]);
}

describe.each(RUNTIMES)("works in their own processes on %s", (runtime) => {
  it("the workflow example prints the same with every work in its own process as with threads", async () => {
    const threads = await runApp(runtime, example("workflow"), { env: { LIT_NO_SERVER: "1" } });
    const processes = await runIsolated(runtime, example("workflow"));
    expect(processes.exit.code, processes.app.transcript()).toBe(0);
    expect(processes.app.output("stdout")).toBe(threads.app.output("stdout"));
    expect(processes.app.linesOf("root.workA").map((l) => l.text)).toEqual(["running code A on a CPU machine"]);
  });

  it('a work with isolation: "process" runs in a process of its own, its stdout shown under its name, and is gone when the app ends', async () => {
    const { app, exit } = await runApp(runtime, ISOLATED, { env: { LIT_NO_SERVER: "1" } });
    expect(exit.code, app.transcript()).toBe(0);
    const hog = pidOf(app, /^root\.hog \| hog pid/);
    const flow = pidOf(app, /^flow pid/);
    expect(hog).toBeGreaterThan(0);
    expect(hog).not.toBe(flow);
    // A thread's work shares the app's process.
    expect(pidOf(app, /^root\.steady \| steady pid/)).toBe(flow);
    expect(app.linesOf("root.hog").map((l) => l.text)).toContain("hog wrote to stdout");
    expect(isAlive(hog)).toBe(false);
  });

  it("app-wide, every work gets a process of its own", async () => {
    const { app, exit } = await runIsolated(runtime, ISOLATED);
    expect(exit.code, app.transcript()).toBe(0);
    const pids = [/^root\.hog \| hog pid/, /^root\.steady \| steady pid/, /^flow pid/].map((p) => pidOf(app, p));
    expect(new Set(pids).size, app.transcript()).toBe(3);
  });

  it("a work that allocates without bound fails with reason out of memory at its memoryMiB, and the other work goes on", async () => {
    const { app, exit } = await runApp(runtime, ISOLATED, { env: { LIT_NO_SERVER: "1", HOG: "1", HOG_MIB: "200" } });
    expect(exit, app.transcript()).toMatchObject({ code: 0, signal: null });
    const failed = app.lines.find((l) => l.text.startsWith("flow: hog failed"));
    expect(failed?.text, app.transcript()).toMatch(/^flow: hog failed \(out of memory\): the work's process ran out of memory: it used \d+ MiB, over its limit of 200 MiB/);
    const steady = app.linesOf("root.steady").map((l) => l.text).filter((t) => t.startsWith("steady "));
    expect(steady.slice(1)).toEqual(Array.from({ length: 10 }, (_, i) => `steady ${i + 1}`));
    expect(app.indexOf("root.steady | steady 10")).toBeGreaterThan(app.indexOf(/^flow: hog failed/));
    expect(isAlive(pidOf(app, /^root\.hog \| hog pid/))).toBe(false);
  });
});

describe.each(["node", "deno"] as const)("a heap limit on a work's process on %s", (runtime) => {
  it("V8's out-of-memory error ends only that work, with reason out of memory", async () => {
    const { app, exit } = await runIsolated(runtime, fixture("crash-app.ts"), { CRASH_KIND: "oom", RAISE: "0", LIT_WORKER_HEAP_MB: "64" });
    expect(exit, app.transcript()).toMatchObject({ code: 0, signal: null });
    const failed = app.lines.find((l) => l.text.startsWith("flow: crasher failed"));
    expect(failed?.text, app.transcript()).toMatch(/^flow: crasher failed \(out of memory\): the work's process ran out of memory \(limit 64 MiB\)/);
    expect(app.linesOf("root.steady").map((l) => l.text)).toEqual(Array.from({ length: 10 }, (_, i) => `steady ${i + 1}`));
  });
});

describe("lit run --isolation and LIT_ISOLATION", () => {
  it("take thread or process, and say so for anything else", async () => {
    const { app, exit } = await runApp("node", ISOLATED, { litArgs: ["--isolation", "proces"] });
    expect(exit.code).toBe(2);
    expect(app.output("stderr")).toContain('lit run: --isolation takes "thread" or "process", got "proces".');
    const env = await runApp("bun", ISOLATED, { env: { LIT_NO_SERVER: "1", LIT_ISOLATION: "proc" } });
    expect(env.exit.code).toBe(1);
    expect(env.app.output("stderr")).toContain('LIT_ISOLATION must be "thread" or "process" (each work in its own OS process), got "proc"');
  });
});
