/**
 * Crash isolation, with the fixture test/fixtures/crash-app.ts: a work that crashes (an
 * exception in run(), process.exit(), out of memory) is marked failed; with
 * raiseException: true the app fails (exit 1) printing why, with false the flow sees
 * hasFailed and the other work counts on to the end. What is printed points at the user's
 * line (where the error was thrown, where process.exit() was called), never at the
 * framework's files; a thrown value that is not an Error (test/fixtures/throw-app.ts) and a
 * syntax error in the app file are reported readably too.
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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, runApp, RUNTIMES, type AppProcess, type Runtime } from "./test-support/app-process.ts";

const APP = fixture("crash-app.ts");
const SOURCE = readFileSync(APP, "utf8").split("\n");
/** 1-based line numbers of the fixture's throw, of the call that leads to it, and of its process.exit(). */
const THROW_LINE = SOURCE.findIndex((l) => l.includes('throw new Error("the model diverged')) + 1;
const CALL_LINE = SOURCE.findIndex((l) => l.includes("diverge();")) + 1;
const EXIT_LINE = SOURCE.findIndex((l) => l.includes("process.exit(3)")) + 1;
const EXIT_MESSAGE = new RegExp(
  `the work's thread ended with exit code 3: process\\.exit\\(3\\) was called at \\S*test/fixtures/crash-app\\.ts:${EXIT_LINE}:\\d+\\. ` +
    "To end a call, return from run\\(\\) or throw an Error",
);

/** Stack lines that point into the framework's own files or the runtime's internals. */
function frameworkFrames(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => /^\s+at\s/.test(l) && /\/(core|local-workers|storage|server|lit-app)\/src\/|node:internal|ext:|\/\.lit\//.test(l));
}

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
  exit: { reason: "exited", message: EXIT_MESSAGE },
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
    expect(frameworkFrames(stderr)).toEqual([]);
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

  it("process.exit() in a work with raiseException: true fails the app with exit code 1, saying where the user's code called it", async () => {
    const { app, exit } = await crash(runtime, "exit", true);
    expect(exit.code, app.transcript()).toBe(1);
    const stderr = app.output("stderr");
    expect(stderr).toContain("[lit-app] the app failed: root.crasher failed: the work's thread ended with exit code 3: process.exit(3) was called at ");
    expect(stderr).toMatch(EXIT_MESSAGE);
    // The stack shown is the user's: the line that called process.exit(), and no file of the framework.
    expect(stderr).toMatch(new RegExp(`^\\s+at .*test/fixtures/crash-app\\.ts:${EXIT_LINE}:\\d+\\)?$`, "m"));
    expect(frameworkFrames(stderr)).toEqual([]);
  });

  it("throw null, undefined, 42 or {} in a work, and throw null in the flow, give readable messages", async () => {
    const { app, exit } = await runApp(runtime, fixture("throw-app.ts"), { env: { LIT_NO_SERVER: "1" } });
    expect(exit.code, app.transcript()).toBe(1);
    const why = "was thrown, not an Error, so there is no stack to show where. Throw an Error instead: throw new Error(\"what went wrong\").";
    expect(app.output().split("\n").filter((l) => l.startsWith("flow: "))).toEqual([
      `flow: null -> null ${why}`,
      `flow: undefined -> undefined ${why}`,
      `flow: number -> the number 42 ${why}`,
      `flow: object -> the object {} ${why}`,
    ]);
    // No stack at all: the framework's frames would say nothing about where.
    expect(app.output("stderr")).toBe(`[lit-app] the app failed: root.run() threw: null ${why}`);
  });
});

describe("a syntax error in the app file", () => {
  // The file is written at test time: a broken file among the fixtures would break the type check.
  const runs: [string, Runtime, string[]][] = [
    ["bun run app.ts", "bun", []],
    ["lit run --runtime bun app.ts", "node", ["--runtime", "bun"]],
    ["lit run app.ts (Node)", "node", []],
    ["deno run -A app.ts", "deno", []],
    ["lit run --runtime deno app.ts", "node", ["--runtime", "deno"]],
  ];
  it.each(runs)("%s shows the file, line and column, and the line", async (_, runtime, litArgs) => {
    const dir = mkdtempSync(join(fixture(""), "syntax-"));
    try {
      const file = join(dir, "app.ts");
      writeFileSync(
        file,
        'import * as L from "lit-app";\n\nclass W extends L.LightningWork {\n  async run() {\n    const x = ;\n  }\n}\n' +
          "export default new L.LightningApp(new (class extends L.LightningFlow { w = new W(); run() { this.w.run(); } })());\n",
      );
      const { app, exit } = await runApp(runtime, file, { litArgs, env: { LIT_NO_SERVER: "1" } });
      expect(exit.code === 0, app.transcript()).toBe(false);
      const output = app.lines.map((l) => l.text).join("\n");
      expect(output).toMatch(new RegExp(`${file.replace(/[.]/g, "\\.")}:5:\\d+`));
      expect(output).toMatch(/Unexpected|Expression expected/);
      expect(output).toContain("5 |     const x = ;");
      // Not a stack of the parser's own files (esbuild's, under tsx on Node).
      expect(output).not.toMatch(/node_modules\/esbuild/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
