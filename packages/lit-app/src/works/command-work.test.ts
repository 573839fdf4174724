import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import process from "node:process";
import { format } from "node:util";
import { knownWorkClasses } from "@lit-app/core/internal";
import { TestApp } from "@lit-app/core/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as L from "../index.ts";
import { isRunning, LitRun, until } from "../test-support/processes.ts";

let scratch: string;
beforeAll(() => {
  scratch = realpathSync(mkdtempSync(join(tmpdir(), "lit-command-")));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Collects what works print to the console in this thread. */
function captureConsole(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void out.push(format(...args)));
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void err.push(format(...args)));
  return { out, err };
}
afterEach(() => vi.restoreAllMocks());

/** A flow around one CommandWork, calling it with `extra` once. */
function appWith(work: L.CommandWork, extra?: string[]) {
  class Root extends L.LightningFlow {
    cmd = work;
    halt = false;
    run() {
      if (extra) this.cmd.run(extra);
      else this.cmd.run();
      if (this.halt) this.cmd.stop();
    }
  }
  return new TestApp<Root>(new L.LightningApp(new Root()));
}

function sh(script: string, options: Omit<L.CommandWorkOptions, "command" | "args"> = {}): L.CommandWork {
  return new L.CommandWork({ command: "sh", args: ["-c", script, "sh"], ...options });
}

describe("CommandWork in the test driver (works in this thread)", () => {
  it("streams each line to the work's console, stdout as log and stderr as error, and records pid and exitCode", async () => {
    const seen = captureConsole();
    const t = appWith(sh('echo "first line"; echo "to stderr" >&2; printf "no newline at end"'));
    await t.start();
    expect(t.root.cmd.hasSucceeded).toBe(true);
    expect(seen.out).toEqual(["first line", "no newline at end"]);
    expect(seen.err).toEqual(["to stderr"]);
    expect(t.root.cmd.exitCode).toBe(0);
    expect(t.root.cmd.signal).toBeNull();
    expect(Number.isInteger(t.root.cmd.pid)).toBe(true);
    expect(isRunning(t.root.cmd.pid!)).toBe(false);
    const vars = t.engine.stateDocument().components["root.cmd"]?.vars;
    expect(vars).toMatchObject({ command: "sh", exitCode: 0, pid: t.root.cmd.pid });
  });

  it("fails with the exit code and the last 20 lines of stderr", async () => {
    captureConsole();
    const t = appWith(sh('echo "progress" ; for i in $(seq 1 30); do echo "trace line $i" >&2; done; exit 3', { raiseException: false }));
    await t.start();
    expect(t.root.cmd.hasFailed).toBe(true);
    expect(t.root.cmd.exitCode).toBe(3);
    const message = t.root.cmd.status.message ?? "";
    expect(message).toContain("root.cmd: command `sh -c");
    expect(message).toContain("failed with exit code 3");
    expect(message).toContain(`cwd: ${process.cwd()}`);
    const tail = message.split("Last lines of stderr:\n")[1]!.split("\n").map((l) => l.trim());
    expect(tail).toEqual(Array.from({ length: 20 }, (_, i) => `trace line ${i + 11}`));
  });

  it("shows the last lines of stdout when the command wrote nothing on stderr", async () => {
    captureConsole();
    const t = appWith(sh('echo "loss went NaN"; exit 2', { raiseException: false }));
    await t.start();
    expect(t.root.cmd.status.message).toMatch(/exit code 2 .*Last lines of stdout:\n {2}loss went NaN$/s);
  });

  it("fails the app (exit code 1) with that error when raiseException is on", async () => {
    captureConsole();
    const t = appWith(sh("echo boom >&2; exit 9"));
    await t.start();
    expect(t.result).toMatchObject({ stage: "failed", exitCode: 1 });
    expect(t.result?.message).toMatch(/exit code 9.*boom/s);
  });

  it("names the command and the working directory when the program is not found", async () => {
    const t = appWith(new L.CommandWork({ command: "lit-no-such-program", cwd: scratch, raiseException: false }));
    await t.start();
    expect(t.root.cmd.hasFailed).toBe(true);
    expect(t.root.cmd.status.message).toContain('root.cmd: command "lit-no-such-program" was not found: it is not on the PATH');
    expect(t.root.cmd.status.message).toContain(`(cwd: ${scratch})`);
    expect(t.root.cmd.pid).toBeNull();

    const u = appWith(new L.CommandWork({ command: "./train.sh", cwd: scratch, raiseException: false }));
    await u.start();
    expect(u.root.cmd.status.message).toContain(`command "./train.sh" was not found: there is no such file (relative paths start from the working directory ${scratch})`);
  });

  it("says so when the working directory does not exist, or the program is not executable", async () => {
    const missing = join(scratch, "not-made-yet");
    const t = appWith(new L.CommandWork({ command: "sh", cwd: missing, raiseException: false }));
    await t.start();
    expect(t.root.cmd.status.message).toBe(
      `root.cmd: cannot run "sh": its working directory ${missing} does not exist. Create it first or fix the "cwd" option.`,
    );
    writeFileSync(join(scratch, "plain.sh"), "echo hi\n", { mode: 0o644 });
    const u = appWith(new L.CommandWork({ command: "./plain.sh", cwd: scratch, raiseException: false }));
    await u.start();
    expect(u.root.cmd.status.message).toContain('command "./plain.sh" could not be started');
    expect(u.root.cmd.status.message).toContain("not executable");
  });

  it("runs in cwd (relative to the app's directory) with env added to the app's environment, and run() arguments after args", async () => {
    const seen = captureConsole();
    const dir = join(scratch, "runs", "a b");
    mkdirSync(dir, { recursive: true });
    process.env.LIT_TEST_INHERITED = "from the app";
    try {
      const work = new L.CommandWork({
        command: "sh",
        args: ["-c", 'echo "$(pwd -P)|$GREETING|$LIT_TEST_INHERITED|$PYTHONUNBUFFERED|$*"', "sh", "one"],
        env: { GREETING: "hello there" },
        cwd: relative(process.cwd(), dir),
      });
      const t = appWith(work, ["two", "three four"]);
      await t.start();
      expect(seen.out).toEqual([`${dir}|hello there|from the app|1|one two three four`]);
    } finally {
      delete process.env.LIT_TEST_INHERITED;
    }
  });

  it("stop() kills the command and every process it started", async () => {
    const seen = captureConsole();
    const t = appWith(sh('sleep 300 & echo "child $!"; sleep 300 & echo "child $!"; wait', { parallel: true }));
    void t.engine.start();
    await until(() => seen.out.length === 2, 10_000, "two children", () => t.clock.runSoon());
    const pids = [t.root.cmd.pid!, ...seen.out.map((line) => Number(line.split(" ")[1]))];
    expect(pids.every(isRunning)).toBe(true);
    t.root.halt = true;
    await until(() => t.root.cmd.hasStopped, 5_000, "the work to stop", () => t.clock.runSoon());
    await until(() => !pids.some(isRunning), 5_000, "the process tree to end");
    await until(() => t.root.cmd.signal !== null, 5_000, "the exit to be recorded");
    expect(t.root.cmd.signal).toBe("SIGTERM");
    await t.stop();
  });

  it("the app ending kills the process tree, with SIGKILL for processes that ignore SIGTERM", async () => {
    const seen = captureConsole();
    const t = appWith(sh('trap "" TERM; sleep 300 & echo "child $!"; wait; wait', { parallel: true, stopGraceMs: 200 }));
    void t.engine.start();
    await until(() => seen.out.length === 1, 10_000, "the child", () => t.clock.runSoon());
    const pids = [t.root.cmd.pid!, Number(seen.out[0]!.split(" ")[1])];
    expect(pids.every(isRunning)).toBe(true);
    const result = await t.stop();
    expect(result.stage).toBe("stopped");
    expect(pids.filter(isRunning)).toEqual([]);
    await until(() => t.root.cmd.signal !== null, 5_000, "the exit to be recorded");
    expect(t.root.cmd.signal).toBe("SIGKILL");
  });
});

describe("CommandWork options", () => {
  const make = (options: unknown) => () => new L.CommandWork(options as L.CommandWorkOptions);

  it("refuses bad options with errors that say what to do", () => {
    expect(make(undefined)).toThrow(/CommandWork: options must be an object such as \{ command: "python"/);
    expect(make({ args: ["x"] })).toThrow(/CommandWork: the "command" option is missing: give the program to run, e\.g\. new L\.CommandWork/);
    expect(make({ command: 42 })).toThrow('CommandWork: command must be a string (the program to run), got a number (42).');
    expect(make({ command: "python train.py" })).toThrow(/contains spaces.*put its arguments in "args"/);
    expect(make({ command: "python", args: "train.py" })).toThrow(/args must be an array of strings/);
    expect(make({ command: "python", args: ["train.py", "--epochs", 3] })).toThrow(
      "CommandWork: args[2] must be a string, got a number (3). Pass every argument as a string, e.g. String(3).",
    );
    expect(make({ command: "python", env: { EPOCHS: 3 } })).toThrow("CommandWork: env.EPOCHS must be a string, got a number (3).");
    expect(make({ command: "python", env: ["A=1"] })).toThrow(/env must be an object of strings/);
    expect(make({ command: "python", cwd: "" })).toThrow(/cwd is empty/);
    expect(make({ command: "python", stopGraceMs: -1 })).toThrow(/stopGraceMs must be a whole number/);
    expect(make({ command: "python", argz: [] })).toThrow(
      'CommandWork: unknown work option "argz". Valid options: parallel, cacheCalls, raiseException, cloudCompute, port, startWithFlow, isolation. ' +
        "The command's own options are: command, args, env, cwd, stopGraceMs.",
    );
    expect(make({ command: "python", parallel: "yes" })).toThrow(/option "parallel" must be true or false/);
    expect(() => new L.CommandWork({ command: "python" })).not.toThrow();
  });

  it("errors are named classes with a code", () => {
    try {
      make({ command: "" })();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(L.CommandOptionError);
      expect(error).toBeInstanceOf(L.LitError);
      expect(error).toMatchObject({ name: "CommandOptionError", code: "E_WORK_OPTION" });
    }
  });

  it("checks arguments given to run() and fields the flow changed", async () => {
    const t = appWith(new L.CommandWork({ command: "true", raiseException: false }), [1 as unknown as string]);
    await t.start();
    expect(t.root.cmd.status.message).toBe(
      "root.cmd: the argument of run()[0] must be a string, got a number (1). Pass every argument as a string, e.g. String(1).",
    );
    const u = appWith(new L.CommandWork({ command: "true", raiseException: false }));
    u.root.cmd.args = ["ok", 5] as unknown as string[];
    await u.start();
    expect(u.root.cmd.status.message).toMatch(/^root\.cmd: args\[1\] must be a string/);
  });

  it("records its whole options for a rebuild elsewhere, and its class is known without being exported", () => {
    const compute = new L.CloudCompute("gpu");
    const work = new L.CommandWork({ command: "python", args: ["train.py"], env: { A: "1" }, cwd: "sub", cloudCompute: compute, parallel: true });
    const recorded = (work as unknown as Record<symbol, { constructorOptions: unknown }>)[Symbol.for("lit-app.core")]!.constructorOptions;
    expect(recorded).toEqual({ command: "python", args: ["train.py"], env: { A: "1" }, cwd: "sub", stopGraceMs: 2000, cloudCompute: compute, parallel: true });
    expect(knownWorkClasses().get("CommandWork")).toBe(L.CommandWork);
    const again = new L.CommandWork(recorded as L.CommandWorkOptions);
    expect([again.command, again.args, again.env, again.cwd, again.parallel, again.cloudCompute.name]).toEqual(["python", ["train.py"], { A: "1" }, "sub", true, "gpu"]);
  });
});

describe("CommandWork in a real app (each work in a worker thread, `lit run`)", () => {
  const runtimes = ["node", "bun", "deno"] as const;

  describe.each(runtimes)("on %s", (engine) => {
    it("prefixes each output line with the work's name; the flow sees pid and exitCode; env, cwd and run() arguments apply", async () => {
      const app = new LitRun(engine, { LIT_FIXTURE_MODE: "output", LIT_FIXTURE_DIR: scratch });
      expect(await app.exited).toBe(0);
      const out = app.stdout.split("\n");
      expect(out).toContain("root.hello | out one");
      expect(out).toContain(`root.hello | hi from ${scratch} with extra`);
      expect(app.stderr.split("\n")).toContain("root.hello | err one");
      const saw = /flow saw exitCode=(\S+) pid=(\S+)/.exec(app.stdout);
      expect(saw?.[1]).toBe("0");
      expect(Number(saw?.[2])).toBeGreaterThan(0);
    });

    it("a failing command fails the app with its exit code and the last lines of stderr", async () => {
      const app = new LitRun(engine, { LIT_FIXTURE_MODE: "fail" });
      expect(await app.exited).toBe(1);
      expect(app.stderr).toContain("root.broken | problem 1\n");
      const report = app.stderr.slice(app.stderr.indexOf("[lit-app] the app failed"));
      expect(report).toContain("failed with exit code 7");
      const tail = report.split("Last lines of stderr:\n")[1]!.split("\n").slice(0, 21).map((l) => l.trim());
      expect(tail.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `problem ${i + 6}`));
      expect(tail[20]).not.toMatch(/^problem/);
    });

    it("work.stop() from the flow kills the command's whole process tree", async () => {
      const dir = mkdtempSync(join(scratch, `tree-${engine}-`));
      const app = new LitRun(engine, { LIT_FIXTURE_MODE: "tree", LIT_FIXTURE_STOP: "flow", LIT_FIXTURE_DIR: dir });
      try {
        await until(() => app.stdout.includes("flow stopped the tree") || app.code !== undefined, 30_000, "the flow to stop the tree");
        const pids = app.childPids();
        expect(pids).toHaveLength(2);
        await until(() => !pids.some(isRunning), 5_000, "the sleep children to end");
        expect(app.code).toBeUndefined();
      } finally {
        process.kill(app.pid, "SIGTERM");
      }
      expect(await app.exited).toBe(0);
    });
  });

  it("a command that cannot be found fails the app naming the command and its cwd", async () => {
    const app = new LitRun("node", { LIT_FIXTURE_MODE: "missing", LIT_FIXTURE_DIR: scratch });
    expect(await app.exited).toBe(1);
    expect(app.stderr).toContain('root.missing: command "lit-fixture-no-such-program" was not found');
    expect(app.stderr).toContain(`(cwd: ${scratch})`);
  });

  it("SIGTERM to the app (Ctrl-C) ends the command's process tree before the app exits", async () => {
    const dir = mkdtempSync(join(scratch, "sigterm-"));
    const app = new LitRun("node", { LIT_FIXTURE_MODE: "tree", LIT_FIXTURE_DIR: dir });
    await until(() => app.childPids().length === 2 || app.code !== undefined, 30_000, "two children");
    const pids = app.childPids();
    expect(pids.every(isRunning)).toBe(true);
    process.kill(app.pid, "SIGTERM");
    expect(await app.exited).toBe(0);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it("works created at run time are rebuilt in their threads from their options (env, cwd, compute)", async () => {
    const app = new LitRun("node", { LIT_FIXTURE_MODE: "dynamic", LIT_FIXTURE_DIR: scratch });
    expect(await app.exited).toBe(0);
    expect(app.stdout).toContain(`root.jobs.a | job a: red in ${scratch}`);
    expect(app.stdout).toContain(`root.jobs.b | job b: blue in ${scratch}`);
  });
});
