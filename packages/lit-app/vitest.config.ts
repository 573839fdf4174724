import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Tests run real apps in child processes on three runtimes; some wait for timers and signals.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // One file at a time: the apps start many worker threads, and the machine has 2 cores.
    fileParallelism: false,
  },
});
