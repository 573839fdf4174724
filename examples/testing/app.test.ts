// Testing an app with lit-app/testing: TestApp runs the flow pass by pass and the works in the
// test's own thread, on a fake clock, so a test of minutes of app time takes milliseconds.
// Run: `npx vitest run app.test.ts` in this folder.
// #region imports
import * as L from "lit-app";
import { FakeClock, TestApp } from "lit-app/testing";
import { describe, expect, it } from "vitest";
import { LitWorkflow } from "../workflow/app.ts";
import { Root as TimerRoot } from "../timer/app.ts";
import { Root as ScheduleRoot } from "../schedule/app.ts";
// #endregion imports

// #region workflow
describe("the workflow", () => {
  it("runs A, then B, then stops", async () => {
    const t = new TestApp<LitWorkflow>(new L.LightningApp(new LitWorkflow()));
    await t.start(); // passes and works run until nothing changes
    expect(t.root.workA.hasSucceeded).toBe(true);
    expect(t.root.workB.hasSucceeded).toBe(true);
    expect(t.result).toMatchObject({ stage: "stopped", exitCode: 0, message: "both works ran" });
  });
});
// #endregion workflow

// #region timer
describe("the timer", () => {
  it("starts B five seconds after A has finished, not before", async () => {
    const t = new TestApp<TimerRoot>(new L.LightningApp(new TimerRoot()), { clock: new FakeClock(Date.UTC(2026, 0, 1)) });
    await t.start();
    expect(t.root.workA.hasSucceeded).toBe(true);
    expect(t.root.workB.hasStarted).toBe(false);
    await t.advance(4_999); // the fake clock moves; nobody waits
    expect(t.root.workB.hasStarted).toBe(false);
    await t.advance(1);
    expect(t.root.workB.hasSucceeded).toBe(true);
    expect(t.result?.stage).toBe("stopped");
  });
});
// #endregion timer

// #region schedule
describe("the schedule", () => {
  it("runs B once per firing and stops after three", async () => {
    const t = new TestApp<ScheduleRoot>(new L.LightningApp(new ScheduleRoot()));
    await t.start();
    expect(t.root.firings).toBe(1); // true on the first call
    await t.advance(1_000);
    expect(t.root.firings).toBe(2);
    await t.advance(60_000); // the app stops at the third firing
    expect(t.root.firings).toBe(3);
    expect(t.result).toMatchObject({ stage: "stopped", message: "3 firings" });
  });
});
// #endregion schedule
