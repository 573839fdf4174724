/**
 * What an app leaves in `.lit/` beside its file, on Bun, Node and Deno: the files its works
 * wrote (their storage, kept on purpose: a model a work trained is still there after the app),
 * and nothing else: no bundle of the work program (Node), no empty storage root, no empty
 * `.lit/`, whether the app ended cleanly, failed, or was stopped with Ctrl-C; what an app killed
 * with kill -9 could not remove, its next run does. The fixture
 * test/fixtures/lit-dir-app.ts is copied into a folder of its own for each run.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixture, RUNTIMES, startApp, type Runtime } from "./test-support/app-process.ts";

let dir: string;
let app: string;

beforeEach(() => {
  dir = mkdtempSync(join(fixture(""), "lit-dir-"));
  app = join(dir, "app.ts");
  copyFileSync(fixture("lit-dir-app.ts"), app);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Everything under `.lit/` beside the app, files and folders, relative to it. */
function litDir(): string[] {
  const lit = join(dir, ".lit");
  if (!existsSync(lit)) return [];
  return readdirSync(lit, { recursive: true, encoding: "utf8" }).sort();
}

async function run(runtime: Runtime, env: Record<string, string>, interrupt = false) {
  const started = startApp(runtime, app, { env: { LIT_NO_SERVER: "1", ...env } });
  try {
    if (interrupt) {
      await started.waitFor("root.maker | made");
      process.kill(started.pid, "SIGINT");
    }
    const exit = await started.done(20_000);
    return { exit, transcript: started.transcript() };
  } finally {
    started.kill();
  }
}

describe.each(RUNTIMES)("`.lit/` beside the app on %s", (runtime) => {
  it("is gone after a clean exit of an app whose works wrote no file", async () => {
    const { exit, transcript } = await run(runtime, { MODE: "stop" });
    expect(exit.code, transcript).toBe(0);
    expect(readdirSync(dir)).toEqual(["app.ts"]);
  });

  it("is gone after the app failed", async () => {
    const { exit, transcript } = await run(runtime, { MODE: "fail" });
    expect(exit.code, transcript).toBe(1);
    expect(readdirSync(dir)).toEqual(["app.ts"]);
  });

  it("is gone after a work ended its thread with process.exit(), which failed the app", async () => {
    const { exit, transcript } = await run(runtime, { MODE: "exit" });
    expect(exit.code, transcript).toBe(1);
    expect(readdirSync(dir)).toEqual(["app.ts"]);
  });

  it("is gone after Ctrl-C", async () => {
    const { exit, transcript } = await run(runtime, { MODE: "wait" }, true);
    expect(exit.signal, transcript).toBeNull();
    expect(readdirSync(dir)).toEqual(["app.ts"]);
  });

  it("what an app killed with kill -9 left is removed by the next run", async () => {
    const killed = startApp(runtime, app, { env: { LIT_NO_SERVER: "1", MODE: "wait" } });
    try {
      await killed.waitFor("root.maker | made");
      killed.kill();
      await killed.done(10_000);
    } finally {
      killed.kill();
    }
    expect(litDir()).not.toEqual([]);
    const { exit, transcript } = await run(runtime, { MODE: "stop" });
    expect(exit.code, transcript).toBe(0);
    expect(readdirSync(dir)).toEqual(["app.ts"]);
  });

  it("keeps the files the works wrote, and only them", async () => {
    const { exit, transcript } = await run(runtime, { MODE: "stop", WRITE: "1" });
    expect(exit.code, transcript).toBe(0);
    expect(litDir()).toEqual(["storage", "storage/lit-dir", "storage/lit-dir/root.maker", "storage/lit-dir/root.maker/result.txt"]);
    expect(readFileSync(join(dir, ".lit/storage/lit-dir/root.maker/result.txt"), "utf8")).toBe("kept");
  });
});
