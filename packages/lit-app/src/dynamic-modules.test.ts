/**
 * Works created inside run() whose classes live in other modules of the app (fixture
 * test/fixtures/split-works): one imported from works.ts, one exported from lib/shout.ts where
 * the app imports only a factory. A class exported from no module fails the app with the line
 * where the flow created it.
 */
import { describe, expect, it } from "vitest";
import { fixture, RUNTIMES, runApp } from "./test-support/app-process.ts";

describe("dynamic works whose class lives in another module", () => {
  for (const runtime of RUNTIMES) {
    it(`run on ${runtime}`, { timeout: 60_000 }, async () => {
      const { app, exit } = await runApp(runtime, fixture("split-works/app.ts"), { timeoutMs: 50_000 });
      expect(exit, app.transcript()).toMatchObject({ code: 0, signal: null });
      expect(app.lines.map((l) => l.text)).toContain("greetings: hello ada, hello bob");
      expect(app.lines.some((l) => l.text.endsWith("SPLIT WORKS!")), app.transcript()).toBe(true);
    });

    it(`a class exported nowhere fails at the line that created it, on ${runtime}`, { timeout: 60_000 }, async () => {
      const { app, exit } = await runApp(runtime, fixture("split-works/hidden.ts"), { timeoutMs: 50_000 });
      expect(exit, app.transcript()).toMatchObject({ code: 1 });
      const out = app.transcript();
      // Created at the flow's line `this.hidden ??= new Hidden();` (line 12, column 21).
      expect(out).toMatch(/class Hidden, created at \S*split-works\/hidden\.ts:12:21, is exported from no module of the app/);
      expect(out).toContain("Write `export class Hidden` in the module that defines it.");
      // The stack shown starts at that line, not in the class.
      const stack = app.lines.map((l) => l.text).filter((t) => /^\s+at /.test(t));
      expect(stack[0], out).toMatch(/split-works\/hidden\.ts:12:21\)?$/);
    });
  }
});
