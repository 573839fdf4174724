/** `flow.schedule(cron, { startTime, tz })` on a fake clock. */
import { describe, expect, it } from "vitest";
import { LightningApp, LightningFlow, LightningWork, type ScheduleOptions } from "./index.ts";
import { CRON_ALIASES } from "./internal.ts";
import { FakeClock, TestApp } from "./testing/index.ts";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** A flow that notes the time of every pass in which `schedule(...)` said true. */
function scheduledFlow(cron: string, options?: ScheduleOptions) {
  return class Scheduled extends LightningFlow {
    _fired: number[] = [];
    run() {
      if (this.schedule(cron, options)) this._fired.push(this.now());
    }
  };
}

async function firings(cron: string, start: number, span: number, options?: ScheduleOptions) {
  const Flow = scheduledFlow(cron, options);
  const t = new TestApp(new LightningApp(new Flow()), { clock: new FakeClock(start) });
  await t.start();
  await t.advance(span);
  return { fired: (t.root as InstanceType<typeof Flow>)._fired, passes: t.passes };
}

describe("schedule()", () => {
  it('"hourly" fires on the first call, then exactly once per hour over a day', async () => {
    class LitWorker extends LightningWork {
      async run(_message: string, _at: number) {}
    }
    class LitWorkflow extends LightningFlow {
      workA = new LitWorker();
      workB = new LitWorker();
      _fired: number[] = [];
      run() {
        this.workA.run("running code A on a CPU machine", 0);
        if (this.schedule("hourly")) {
          this._fired.push(this.now());
          this.workB.run("running code B on a GPU machine", this.now());
        }
      }
    }
    const start = Date.UTC(2026, 0, 1, 0, 20);
    const t = new TestApp<LitWorkflow>(new LightningApp(new LitWorkflow()), { clock: new FakeClock(start) });
    await t.start();
    await t.advance(DAY);

    const fired = t.root._fired;
    expect(fired[0]).toBe(start);
    const later = fired.slice(1);
    expect(later).toHaveLength(24);
    expect(new Set(later).size).toBe(24);
    later.forEach((time, i) => {
      expect(new Date(time).getMinutes()).toBe(0);
      expect(new Date(time).getSeconds()).toBe(0);
      if (i > 0) expect(time - (later[i - 1] as number)).toBe(HOUR);
    });
    expect(t.root.workB.numSuccesses).toBe(25);
    expect(t.root.workA.numSuccesses).toBe(1);
    // No pass without a cause: a few passes per firing (fire, B succeeded), none in between.
    expect(t.passes).toBeLessThanOrEqual(2 + 24 * 2 + 2);
  });

  it("does not fire again within the same hour however often the flow re-runs", async () => {
    class Noisy extends LightningFlow {
      ticks = 0;
      _fired = 0;
      run() {
        if (this.schedule("hourly")) this._fired++;
      }
    }
    const t = new TestApp<Noisy>(new LightningApp(new Noisy()), { clock: new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 1)) });
    await t.start();
    for (let i = 0; i < 20; i++) {
      t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/ticks", value: i + 1 }]);
      await t.settle();
      await t.advance(60_000);
    }
    expect(t.passes).toBeGreaterThanOrEqual(21);
    expect(t.root._fired).toBe(1);
    await t.advance(HOUR);
    expect(t.root._fired).toBe(2);
  });

  it("every call of the same schedule in the firing pass answers true", async () => {
    class Twice extends LightningFlow {
      _answers: boolean[][] = [];
      run() {
        this._answers.push([this.schedule("*/5 * * * *"), this.schedule("*/5 * * * *")]);
      }
    }
    const t = new TestApp<Twice>(new LightningApp(new Twice()), { clock: new FakeClock(Date.UTC(2026, 0, 1, 0, 1)) });
    await t.start();
    await t.advance(5 * 60_000);
    expect(t.root._answers).toEqual([
      [true, true],
      [true, true],
    ]);
  });

  it("accepts the 6-field form with seconds first", async () => {
    const start = Date.UTC(2026, 0, 1, 0, 0, 3);
    const { fired } = await firings("*/10 * * * * *", start, 60_000);
    expect(fired[0]).toBe(start);
    expect(fired.slice(1).map((t) => new Date(t).getUTCSeconds())).toEqual([10, 20, 30, 40, 50, 0]);
  });

  it("accepts every alias, with or without @, as its crontab", async () => {
    expect(Object.keys(CRON_ALIASES).sort()).toEqual(
      ["annually", "daily", "hourly", "midnight", "monthly", "weekly", "yearly"].sort(),
    );
    const start = Date.UTC(2026, 0, 1, 12, 0);
    const span = 400 * DAY;
    const counts: Record<string, number> = {};
    for (const alias of ["daily", "@midnight", "weekly", "monthly", "yearly", "@annually"]) {
      const { fired } = await firings(alias, start, span, { tz: "UTC" });
      counts[alias] = fired.length - 1;
      for (const time of fired.slice(1)) {
        expect(new Date(time).getUTCHours()).toBe(0);
        expect(new Date(time).getUTCMinutes()).toBe(0);
      }
    }
    expect(counts).toEqual({ daily: 400, "@midnight": 400, weekly: 57, monthly: 13, yearly: 1, "@annually": 1 });
  });

  it("with a startTime in the future, counts the firings from it", async () => {
    const start = Date.UTC(2026, 0, 1, 0, 0, 30);
    const startTime = new Date(start + 2.5 * HOUR);
    const { fired } = await firings("hourly", start, 5 * HOUR, { startTime, tz: "UTC" });
    expect(fired.map((t) => new Date(t).toISOString())).toEqual([
      "2026-01-01T00:00:30.000Z",
      "2026-01-01T03:00:00.000Z",
      "2026-01-01T04:00:00.000Z",
      "2026-01-01T05:00:00.000Z",
    ]);
  });

  it("uses the tz option for the cron fields", async () => {
    const start = Date.UTC(2026, 0, 1, 12, 0);
    const { fired } = await firings("0 9 * * *", start, 2 * DAY, { tz: "Asia/Tokyo" });
    // 09:00 in Tokyo is 00:00 UTC.
    expect(fired.slice(1).map((t) => new Date(t).toISOString())).toEqual([
      "2026-01-02T00:00:00.000Z",
      "2026-01-03T00:00:00.000Z",
    ]);
  });

  it("two schedules in one flow keep their own firings", async () => {
    class Both extends LightningFlow {
      _a = 0;
      _b = 0;
      run() {
        if (this.schedule("*/15 * * * *")) this._a++;
        if (this.schedule("hourly")) this._b++;
      }
    }
    const t = new TestApp<Both>(new LightningApp(new Both()), { clock: new FakeClock(Date.UTC(2026, 0, 1, 0, 5)) });
    await t.start();
    await t.advance(2 * HOUR);
    expect(t.root._a).toBe(1 + 8);
    expect(t.root._b).toBe(1 + 2);
  });
});
