/** The cron parser is loaded at a flow's first `schedule()`, not before an app's first pass. */
import { expect, it } from "vitest";
import { LightningApp, LightningFlow } from "./index.ts";
import { FakeClock, TestApp } from "./testing/index.ts";

it("the first schedule() ends the pass while the cron parser loads; the flow re-runs and fires at its start", async () => {
  class Scheduled extends LightningFlow {
    _before = 0;
    _after = 0;
    _fired: number[] = [];
    run() {
      this._before++;
      const fired = this.schedule("hourly");
      this._after++;
      if (fired) this._fired.push(this.now());
    }
  }
  const start = Date.UTC(2026, 0, 1, 0, 20);
  const t = new TestApp<Scheduled>(new LightningApp(new Scheduled()), { clock: new FakeClock(start) });
  await t.start();
  // Pass 1 stopped at schedule() (nothing after it ran); pass 2 ran once the parser was there.
  expect(t.root._before).toBe(2);
  expect(t.root._after).toBe(1);
  expect(t.root._fired).toEqual([start]);
  await t.advance(60 * 60 * 1000);
  expect(t.root._fired).toEqual([start, Date.UTC(2026, 0, 1, 1, 0)]);
});
