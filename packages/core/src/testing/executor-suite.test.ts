import { conformanceApp } from "./executor-app.ts";
import { testExecutor } from "./executor-suite.ts";
import { InProcessExecutor } from "./in-process-executor.ts";

const clock = {
  now: () => Date.now(),
  at: (time: number, fn: () => void) => {
    const t = setTimeout(fn, Math.max(0, time - Date.now()));
    return () => clearTimeout(t);
  },
  soon: (fn: () => void) => void setTimeout(fn, 0),
};

// In this thread, through JSON: its works cannot die apart from the app, and their output is the test's own.
testExecutor(
  "in process, through JSON",
  async () => ({
    executor: new InProcessExecutor(),
    app: conformanceApp({ write: () => undefined, exit: () => undefined }),
    clock,
  }),
  { crash: false, logs: false },
);
