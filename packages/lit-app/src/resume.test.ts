/**
 * Resuming an app from its journal (LIT_JOURNAL), with real processes and files
 * (the fixture test/fixtures/journal-app.ts): the app killed with SIGKILL mid-run and
 * started again finishes with no succeeded call run twice; a torn last line of the
 * journal is ignored; a journal of another component tree is refused, saying what
 * differs, until the app is started fresh; schedule ticks missed while the app was
 * down fire once.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readJournal } from "./runner/file-journal.ts";
import { fixture, RUNTIMES, startApp, type AppProcess, type Runtime } from "./test-support/app-process.ts";

const APP = fixture("journal-app.ts");
const started: AppProcess[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lit-journal-"));
  dirs.push(dir);
  return dir;
}

function run(env: Record<string, string>, runtime: Runtime = "node"): AppProcess {
  const app = startApp(runtime, APP, { env: { LIT_NO_SERVER: "1", ...env } });
  started.push(app);
  return app;
}

afterEach(() => {
  for (const app of started.splice(0)) app.kill();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("an app resumed from its journal", () => {
  it.each(RUNTIMES)("on %s: killed with SIGKILL mid-run and started again, finishes without running a succeeded call again", async (runtime) => {
    const dir = tempDir();
    const env = { LIT_JOURNAL: join(dir, "journal"), SIDE_EFFECTS: join(dir, "effects"), GATE: join(dir, "gate") };
    const first = run(env, runtime);
    await first.waitFor("root.c | step 3 starts");
    first.child.kill("SIGKILL");
    await first.done();
    expect(readFileSync(env.SIDE_EFFECTS, "utf8")).toBe("step 1\nstep 2\n");
    // A crash while a line was being written: its torn end is ignored.
    const journal = readdirSync(env.LIT_JOURNAL).find((f) => f.endsWith(".jsonl"))!;
    appendFileSync(join(env.LIT_JOURNAL, journal), '[{"t":"doc","ops":[{"op":"repl');
    writeFileSync(env.GATE, "");
    const second = run(env, runtime);
    const exit = await second.done();
    expect(exit.code, second.transcript()).toBe(0);
    expect(readFileSync(env.SIDE_EFFECTS, "utf8")).toBe("step 1\nstep 2\nstep 3\nstep 4\n");
    expect(second.output("stdout")).not.toContain("step 1 starts");
    expect(second.output("stdout")).toContain("root.c | step 3 starts");
    // The journal holds how the app ended, and its flow's state.
    const { state } = readJournal(env.LIT_JOURNAL)!;
    expect(state.doc.stage).toBe("stopped");
    expect(state.doc.components.root?.vars.done).toEqual(["step 1 done", "step 2 done", "step 3 done", "step 4 done"]);
    expect(state.works["root.a"]?.successes).toBe(1);
  }, 60_000);

  it("refuses a journal of another component tree, saying what differs, and starts fresh when asked", async () => {
    const dir = tempDir();
    const env = { LIT_JOURNAL: join(dir, "journal"), SIDE_EFFECTS: join(dir, "effects"), GATE: join(dir, "gate") };
    writeFileSync(env.GATE, "");
    expect((await run(env).done()).code).toBe(0);
    const changed = run({ ...env, EXTRA_STEP: "1" });
    expect((await changed.done()).code).toBe(1);
    const err = changed.output("stderr");
    expect(err).toContain("root.e (Step) is new");
    expect(err).toContain("LIT_JOURNAL_FRESH=1");
    expect(readFileSync(env.SIDE_EFFECTS, "utf8")).toBe("step 1\nstep 2\nstep 3\nstep 4\n");
    const fresh = run({ ...env, EXTRA_STEP: "1", LIT_JOURNAL_FRESH: "1" });
    expect((await fresh.done()).code, fresh.transcript()).toBe(0);
    expect(readFileSync(env.SIDE_EFFECTS, "utf8")).toBe("step 1\nstep 2\nstep 3\nstep 4\n".repeat(2));
  }, 60_000);

  it("schedule ticks missed while the app was down fire once when it resumes", async () => {
    const dir = tempDir();
    const env = { LIT_JOURNAL: join(dir, "journal"), TICK: "* * * * * *" };
    const first = run(env);
    await first.waitFor("fired 2 at");
    // Past the journal's write interval (10 ms): what a kill may lose is the last interval's changes.
    await new Promise((resolve) => setTimeout(resolve, 200));
    first.child.kill("SIGKILL");
    await first.done();
    // Down for more than 3 ticks.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const second = run(env);
    const resumed = await second.waitFor(/^fired \d+ at/);
    const count = Number(/^fired (\d+)/.exec(resumed.text)![1]);
    await second.waitFor(`fired ${count + 1} at`);
    second.child.kill("SIGTERM");
    await second.done();
    const fired = second.lines.filter((l) => /^fired \d+ at/.test(l.text)).map((l) => Number(/at (\d+)$/.exec(l.text)![1]));
    // The earlier run's firings are kept (2 or 3), then one for all the missed ticks, then the next tick a second later.
    expect([3, 4], second.transcript()).toContain(count);
    // ... and the next firing is the next tick (a whole second), not another catch-up.
    expect(fired[1]! % 1000, second.transcript()).toBeLessThan(300);
    expect(fired[1]! - fired[0]!).toBeLessThan(1300);
  }, 60_000);
});
