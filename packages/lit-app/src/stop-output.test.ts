/**
 * A work the flow stops as the app ends: what its stop hook prints is shown before the app exits,
 * on Bun, Node and Deno (the app waits for the work to finish stopping, and shows its output meanwhile).
 */
import { describe, expect, it } from "vitest";
import { fixture, RUNTIMES, runApp } from "./test-support/app-process.ts";

describe.each(RUNTIMES)("a work stopped as the app ends, on %s", (runtime) => {
  it("shows the line its stop hook prints after the flow stopped the app", async () => {
    const { app, exit } = await runApp(runtime, fixture("stop-hook-app.ts"));
    expect(exit, app.transcript()).toMatchObject({ code: 0, signal: null });
    expect(app.output().split("\n")).toEqual(["root.cleaner | working", "root.cleaner | cleaned up"]);
  });
});
