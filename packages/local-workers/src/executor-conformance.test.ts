/** The executor conformance suite (@lit-app/core/testing/executor-suite) on every executor of this package. */
import { testExecutor } from "@lit-app/core/testing/executor-suite";
import type { WorkExecutor } from "@lit-app/core/internal";
import { runtimeKind } from "@lit-app/runtime";
import { makeApp } from "../test/fixtures/conformance-app.ts";
import { WorkerProcessExecutor, WorkerThreadExecutor } from "./executor.ts";
import { testClock } from "./test-support/clock.ts";

const APP = new URL("../test/fixtures/conformance-app.ts", import.meta.url).href;
(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

/** One line per executor: each runs the whole suite. */
const executors: Record<string, () => WorkExecutor> = {
  "worker threads": () => new WorkerThreadExecutor({ appModule: APP, threadProgram: "source" }),
  "child processes": () => new WorkerProcessExecutor({ appModule: APP }),
  // On Bun, threads can run the work program built with esbuild (adapters/thread-program.ts).
  ...(runtimeKind() === "bun" ? { "worker threads, built program": () => new WorkerThreadExecutor({ appModule: APP, threadProgram: "built" }) } : {}),
};

for (const [name, make] of Object.entries(executors)) {
  testExecutor(name, async () => ({ executor: make(), app: makeApp(), clock: testClock }));
}
