/**
 * The executor conformance suite (@lit-app/core/testing/executor-suite) on
 * the remote executor: works run under a real agent (a child process on
 * loopback), each in its own detached process, over the work channel.
 */
import { testExecutor } from "@lit-app/core/testing/executor-suite";
import type { Clock, WakeScheduler } from "@lit-app/core/internal";
import { makeApp } from "../../test/fixtures/conformance-app.ts";
import { startTestAgent } from "../test-support/test-agent.ts";
import { RemoteExecutor } from "./remote-executor.ts";

const APP = new URL("../../test/fixtures/conformance-app.ts", import.meta.url).href;
(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

const clock: Clock & WakeScheduler = {
  now: () => Date.now(),
  at: (time, fn) => {
    const t = setTimeout(fn, Math.max(0, time - Date.now()));
    return () => clearTimeout(t);
  },
  soon: (fn) => void setImmediate(fn),
};

testExecutor("remote (agent on loopback)", async () => {
  const agent = await startTestAgent();
  const executor = new RemoteExecutor({
    host: "loopback",
    connect: async () => ({ url: agent.url }),
    token: agent.token,
    appModule: APP,
  });
  return { executor, app: makeApp(), clock, cleanup: () => agent.cleanup() };
});
