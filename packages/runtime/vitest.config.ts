import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Tests start bun, deno and node processes.
    testTimeout: 60_000,
  },
});
