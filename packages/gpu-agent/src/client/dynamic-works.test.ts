/**
 * Works created inside run() whose class another module of the app exports
 * are rebuilt on the host: from that module by URL (the default program) or
 * from the app's work bundle, which holds the app's modules.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { AppEngine } from "@lit-app/core/internal";
import { makeApp, type SplitRoot } from "../../test/fixtures/split/app.ts";
import { testClock } from "../test-support/remote-app.ts";
import { startTestAgent, type TestAgent } from "../test-support/test-agent.ts";
import { buildWorkBundle } from "../works/work-bundle.ts";
import { RemoteExecutor } from "./remote-executor.ts";
import { until } from "../test-support/until.ts";

const APP = new URL("../../test/fixtures/split/app.ts", import.meta.url).href;
(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

describe("works created inside run() on a host", () => {
  let agent: TestAgent | undefined;
  let engine: AppEngine | undefined;
  afterEach(async () => {
    await engine?.stop();
    await agent?.cleanup();
    engine = agent = undefined;
  });

  it.each(["the default program", "the app's work bundle"])("are rebuilt from the module that exports their class (%s)", async (how) => {
    agent = await startTestAgent();
    const a = agent;
    let program: string | undefined;
    if (how === "the app's work bundle") {
      const bundle = await buildWorkBundle(fileURLToPath(APP));
      mkdirSync(join(a.home, "agent", "programs"), { recursive: true });
      writeFileSync(join(a.home, "agent", "programs", bundle.fileName), bundle.code);
      program = bundle.fileName;
    }
    const executor = new RemoteExecutor({ host: "box", connect: async () => ({ url: a.url }), token: a.token, appModule: APP, ...(program ? { program } : {}) });
    const app = makeApp();
    engine = new AppEngine(app, { executor, clock: testClock });
    void engine.start();
    await engine.started;
    const root = app.root as SplitRoot;
    engine.applyDelta([{ op: "replace", path: "/components/root/vars/go", value: true }]);
    await until(() => root.doublers.size === 2 && [...root.doublers.values()].every((w) => w.status.stage === "succeeded"), "both calls' results");
    expect([...root.doublers.values()].map((w) => w.value)).toEqual([42, 100]);
  }, 60_000);
});
