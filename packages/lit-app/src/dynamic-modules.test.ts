/**
 * Works created inside run() whose classes live in other modules of the app (fixture
 * test/fixtures/split-works): one imported from works.ts, one exported from lib/shout.ts where
 * the app imports only a factory. A class exported from no module fails the flow at its `new`:
 * the app exits 1 with the class, the line of the `new` and what to do, and the stack shows the
 * user's lines only, starting there.
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

    it(`a framework work class (L.CommandWork) created inside run() runs, on ${runtime}`, { timeout: 60_000 }, async () => {
      const { app, exit } = await runApp(runtime, fixture("split-works/framework-class.ts"), { timeoutMs: 50_000 });
      expect(exit, app.transcript()).toMatchObject({ code: 0, signal: null });
      expect(app.lines.map((l) => l.text)).toContain("root.echo | made in run");
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
      expect(stack, out).toHaveLength(1);
    });

    it(`the error comes at the \`new\`, where the flow can catch it, on ${runtime}`, { timeout: 60_000 }, async () => {
      const { app, exit } = await runApp(runtime, fixture("split-works/hidden-caught.ts"), { timeoutMs: 50_000 });
      expect(exit, app.transcript()).toMatchObject({ code: 1 });
      const texts = app.lines.map((l) => l.text);
      expect(texts, app.transcript()).toContain("caught at the new: E_WORK_CLASS");
      // The line after the `new` never ran.
      expect(texts, app.transcript()).not.toContain("after the new");
      expect(app.transcript()).toMatch(/class Hidden, created at \S*split-works\/hidden-caught\.ts:14:23, is exported from no module of the app/);
    });

    it(`a class exported nowhere, made by a factory of another module, points at the factory's \`new\` and the flow's line, on ${runtime}`, { timeout: 60_000 }, async () => {
      const { app, exit } = await runApp(runtime, fixture("split-works/hidden-factory.ts"), { timeoutMs: 50_000 });
      expect(exit, app.transcript()).toMatchObject({ code: 1 });
      const out = app.transcript();
      expect(out).toMatch(/class Secret, created at \S*split-works\/lib\/secret\.ts:9:10, is exported from no module of the app/);
      expect(out).toContain("Write `export class Secret` in the module that defines it.");
      const stack = app.lines.map((l) => l.text).filter((t) => /^\s+at /.test(t));
      expect(stack, out).toHaveLength(2);
      expect(stack[0], out).toMatch(/split-works\/lib\/secret\.ts:9:10\)?$/);
      expect(stack[1], out).toMatch(/split-works\/hidden-factory\.ts:10:21\)?$/);
    });
  }
});
