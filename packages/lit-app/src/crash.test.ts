/**
 * Crash isolation, with the fixture test/fixtures/crash-app.ts: a work that crashes (an
 * exception in run(), process.exit(), out of memory) is marked failed; with
 * raiseException: true the app fails (exit 1) printing why, with false the flow sees
 * hasFailed and the other work counts on to the end.
 *
 * What each runtime can isolate:
 * - exception in run(): Bun, Node, Deno.
 * - process.exit() in a work: Bun, Node, Deno (Deno ends such a worker without telling its
 *   parent; the worker reports it on its way out).
 * - out of memory in a work: Node only, where each work's thread gets a heap limit
 *   (`lit run --heap-mb N` or LIT_WORKER_HEAP_MB). Deno and Bun have no per-worker heap limit:
 *   on Deno the whole process dies with V8's fatal out-of-memory error (tested below as a known
 *   limit); on Bun a work's heap grows until the machine runs out of memory and the kernel kills
 *   the process, so that case is not run here.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixture, runApp, RUNTIMES, type AppProcess, type Runtime } from "../test/support/app-process.ts";

const APP = fixture("crash-app.ts");
const SOURCE = readFileSync(APP, "utf8").split("\n");
/** 1-based line numbers of the fixture's throw and of the call that leads to it. */
const THROW_LINE = SOURCE.findIndex((l) => l.includes('throw new Error("the model diverged')) + 1;
const CALL_LINE = SOURCE.findIndex((l) => l.includes("diverge();")) + 1;

type Kind = "throw" | "exit" | "oom";

function crash(runtime: Runtime, kind: Kind, raise: boolean, extra: { litArgs?: string[]; env?: Record<string, string> } = {}) {
  return runApp(runtime, APP, { ...extra, env: { CRASH_KIND: kind, RAISE: raise ? "1" : "0", ...extra.env } });
}

/** The steady work printed all its lines, some of them after the flow saw the crash. */
function expectOthersWentOn(app: AppProcess): void {
  const steady = app.linesOf("root.steady").map((l) => l.text);
  expect(steady, app.transcript()).toEqual(Array.from({ length: 10 }, (_, i) => `steady ${i + 1}`));
  expect(app.indexOf("root.steady | steady 10")).toBeGreaterThan(app.indexOf(/^flow: crasher failed/));
}

const FAILURE: Record<Kind, { reason: string; message: RegExp }> = {
  throw: { reason: "error", message: /the model diverged at step 3/ },
  exit: { reason: "exited", message: /the work's thread ended with exit code 3/ },
  oom: { reason: "exited", message: /out of memory/i },
};

describe.each(RUNTIMES)("crash isolation on %s", (runtime) => {
  it("an exception in run() with raiseException: true fails the app, printing the user's error and stack", async () => {
    const { app, exit } = await crash(runtime, "throw", true);
    expect(exit.code, app.transcript()).toBe(1);
    const stderr = app.output("stderr");
    expect(stderr).toContain("[lit-app] the app failed: root.crasher failed: the model diverged at step 3");
    expect(stderr).toContain("Error: the model diverged at step 3");
    expect(stderr).toMatch(new RegExp(`test/fixtures/crash-app\\.ts:${THROW_LINE}:\\d+`));
    expect(stderr).toMatch(new RegExp(`test/fixtures/crash-app\\.ts:${CALL_LINE}:\\d+`));
    expect(app.indexOf(/^flow: crasher failed/)).toBe(-1);
  });

  for (const kind of ["throw", "exit"] as const) {
    it(`${kind === "throw" ? "an exception in run()" : "process.exit() in a work"} with raiseException: false marks the work failed; the flow and the other work go on`, async () => {
      const { app, exit } = await crash(runtime, kind, false);
      expect(exit, app.transcript()).toMatchObject({ code: 0, signal: null });
      const seen = app.lines.find((l) => l.text.startsWith("flow: crasher failed"));
      expect(seen?.text).toMatch(new RegExp(`^flow: crasher failed \\(${FAILURE[kind].reason}\\): `));
      expect(seen?.text).toMatch(FAILURE[kind].message);
      expectOthersWentOn(app);
    });
  }

  it("process.exit() in a work with raiseException: true fails the app with exit code 1", async () => {
    const { app, exit } = await crash(runtime, "exit", true);
    expect(exit.code, app.transcript()).toBe(1);
    expect(app.output("stderr")).toContain("root.crasher failed: the work's thread ended with exit code 3");
  });
});

describe("out of memory in a work", () => {
  it("node: with --heap-mb 64 the work fails and the app and the other work go on", async () => {
    const { app, exit } = await crash("node", "oom", false, { litArgs: ["--heap-mb", "64"] });
    expect(exit, app.transcript()).toMatchObject({ code: 0, signal: null });
    const seen = app.lines.find((l) => l.text.startsWith("flow: crasher failed"));
    expect(seen?.text).toMatch(/^flow: crasher failed \(exited\): .*out of memory/i);
    expectOthersWentOn(app);
  });

  it("node: with LIT_WORKER_HEAP_MB=64 and raiseException: true the app fails with the out-of-memory error", async () => {
    const { app, exit } = await crash("node", "oom", true, { env: { LIT_WORKER_HEAP_MB: "64" } });
    expect(exit.code, app.transcript()).toBe(1);
    expect(app.output("stderr")).toMatch(/the app failed: root\.crasher failed: .*out of memory/i);
  });

  it("deno (known limit): there is no per-worker heap limit, and V8's out-of-memory error ends the whole process", async () => {
    const { app, exit } = await runApp("deno", APP, {
      runtimeArgs: ["--v8-flags=--max-old-space-size=64"],
      env: { CRASH_KIND: "oom", RAISE: "0" },
    });
    expect(exit.code === 0, app.transcript()).toBe(false);
    expect(app.output("stderr")).toContain("Fatal JavaScript out of memory");
    expect(app.indexOf(/^flow: crasher failed/)).toBe(-1);
  });

  // Bun (known limit): its workers have no heap limit either; a work's heap grows until the
  // kernel kills the whole process, so there is nothing to assert short of exhausting the machine.
});
