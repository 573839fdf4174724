/**
 * Test helpers: drive an app pass by pass, with works in this thread and a
 * fake clock. Re-exported by `lit-app/testing`.
 */
export { FakeClock } from "./fake-clock.ts";
export { InProcessExecutor, type InProcessExecutorOptions } from "./in-process-executor.ts";
export { TestApp, NotSettledError, type TestAppOptions } from "./test-app.ts";
