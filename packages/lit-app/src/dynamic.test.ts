/**
 * 200 works created at run time in an L.Dict, each in its own worker thread, all succeed and
 * report their result to the flow (fixture test/fixtures/many-works.ts).
 *
 * Memory: on Node and Bun all 200 threads are alive at once (about 2.3 GB and 1.6 GB of RSS).
 * A Deno worker costs about 20 MB, so there the flow keeps at most 50 alive and stops each work
 * once it succeeded (which ends its thread and lets the next one start).
 */
import { describe, expect, it } from "vitest";
import { fixture, runApp, type Runtime } from "./test-support/app-process.ts";

const WORKS = 200;
const SUM_OF_SQUARES = Array.from({ length: WORKS }, (_, i) => i * i).reduce((a, b) => a + b, 0);
const LIVE: Record<Runtime, number> = { node: WORKS, bun: WORKS, deno: 50 };

describe("200 dynamic works in a Dict", () => {
  for (const runtime of ["node", "bun", "deno"] as const) {
    it(`all succeed on ${runtime} (at most ${LIVE[runtime]} threads at once)`, { timeout: 240_000 }, async () => {
      const { app, exit } = await runApp(runtime, fixture("many-works.ts"), {
        env: { WORKS: String(WORKS), LIVE: String(LIVE[runtime]) },
        timeoutMs: 230_000,
      });
      expect(exit, app.transcript()).toMatchObject({ code: 0, signal: null });
      const summary = app.lines.find((l) => l.text.includes("works succeeded"));
      expect(summary?.text).toBe(
        `${WORKS} works succeeded, at most ${LIVE[runtime]} at once; sum of squares ${SUM_OF_SQUARES}`,
      );
    });
  }
});
