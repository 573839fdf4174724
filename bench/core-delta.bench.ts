/**
 * One field changed in a work's state of 100, 10,000 and 100,000 fields:
 * the time to record the change as a delta on the work's side (loadWork, as
 * in a worker thread), apply it to the flow's copy of the work (applyVarOp,
 * through the AppEngine's delta event) and decide to re-run the flow
 * (the engine schedules a pass on its clock). The cost must not grow with the state:
 * each size is printed beside the 100-field figure, within 2×.
 *
 * Run alone: node --import tsx bench/core-delta.bench.ts
 */
import { pathToFileURL } from "node:url";
import { LightningApp, LightningFlow, LightningWork } from "@lit-app/core";
import { engineAndWorkSide } from "./fixtures/delta-executor.ts";
import { FULL, median, printTable, type BenchOptions, type BenchRow } from "./harness.ts";

/** State sizes, changes timed and changes before timing (multiples of 100), full and tiny. */
const RUNS = {
  full: { sizes: [100, 10_000, 100_000], iterations: 20_000, warmup: 2_000 },
  tiny: { sizes: [100, 1_000], iterations: 200, warmup: 100 },
} as const;
type Run = (typeof RUNS)[keyof typeof RUNS];

/** A work with `n` top-level fields `f0..f{n-1}` and a `table` object of `n` keys. */
class Wide extends LightningWork {
  table: Record<string, number> = {};
  constructor(n: number) {
    super({ startWithFlow: false });
    const fields = this as unknown as Record<string, number>;
    for (let i = 0; i < n; i++) fields[`f${i}`] = i;
    const table: Record<string, number> = {};
    for (let i = 0; i < n; i++) table[`k${i}`] = i;
    this.table = table;
  }
  async run() {}
}

class Watcher extends LightningFlow {
  wide: Wide;
  _seen = 0;
  constructor(n: number) {
    super();
    this.wide = new Wide(n);
  }
  run() {
    this._seen++;
  }
}

type Variant = "field" | "nested";

/** One app at one state size, ready to time changes. */
interface Subject {
  n: number;
  /** Makes one change and returns the ms from the change to the decision to re-run. */
  step(): number;
  /** Checks the flow's copy holds the last value, measures a full-state JSON, and stops the app. */
  finish(): Promise<number>;
}

async function subject(n: number, variant: Variant): Promise<Subject> {
  const { engine, executor, clock, ops, loaded } = await engineAndWorkSide(() => new LightningApp(new Watcher(n)));
  const state = engine.work("root.wide")!.fields as Record<string, unknown>;
  const work = loaded.work as unknown as Record<string, number> & { table: Record<string, number> };
  const key = variant === "field" ? `f${Math.floor(n / 2)}` : `k${Math.floor(n / 2)}`;
  let value = n;

  return {
    n,
    step() {
      value++;
      const t0 = performance.now();
      if (variant === "field") work[key] = value;
      else work.table[key] = value;
      executor.emit({ type: "delta", work: "root.wide", ops: ops.splice(0) });
      // The engine decides to re-run by scheduling a pass on its clock.
      const scheduled = clock.hasQueued;
      const t1 = performance.now();
      if (!scheduled) throw new Error("the engine did not decide to re-run after a work's change: no pass was scheduled");
      const pass = engine.pass;
      clock.runSoon();
      if (engine.pass !== pass + 1) throw new Error(`one work's change ran ${engine.pass - pass} passes of the flow, not 1`);
      return t1 - t0;
    },
    async finish() {
      const seen = variant === "field" ? state[key] : (state.table as Record<string, number>)[key];
      if (seen !== value) throw new Error(`the flow's copy has ${String(seen)}, not the last value ${value}`);
      // For scale: what sending the whole state would cost instead of a delta (warm, median of 3).
      const full: number[] = [];
      for (let i = 0; i < 4; i++) {
        const j0 = performance.now();
        JSON.stringify(engine.stateDocument());
        if (i > 0) full.push(performance.now() - j0);
      }
      await engine.stop();
      return median(full);
    },
  };
}

/**
 * Median µs per change at each size. The sizes take turns in blocks of 100
 * changes, so that load on the machine weighs on each size alike.
 */
async function measure(variant: Variant, run: Run): Promise<Map<number, { us: number; fullJsonMs: number }>> {
  const subjects = [];
  for (const n of run.sizes) subjects.push(await subject(n, variant));
  const times = subjects.map(() => [] as number[]);
  const BLOCK = 100;
  for (let done = 0; done < run.warmup + run.iterations; done += BLOCK) {
    subjects.forEach((s, i) => {
      for (let j = 0; j < BLOCK; j++) {
        const ms = s.step();
        if (done >= run.warmup) times[i]!.push(ms);
      }
    });
  }
  const out = new Map<number, { us: number; fullJsonMs: number }>();
  for (const [i, s] of subjects.entries()) out.set(s.n, { us: median(times[i]!) * 1000, fullJsonMs: await s.finish() });
  return out;
}

/** The delta figures: each size beside the 100-field one. */
export async function benchCoreDelta(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const run = options.tiny ? RUNS.tiny : RUNS.full;
  const rows: BenchRow[] = [];
  for (const variant of ["field", "nested"] as const) {
    const results = await measure(variant, run);
    const base = results.get(run.sizes[0])!.us;
    for (const n of run.sizes) {
      const r = results.get(n)!;
      const what = variant === "field" ? `one of ${n.toLocaleString("en")} top-level fields` : `one key of a ${n.toLocaleString("en")}-key object field`;
      rows.push({
        name: `change ${what}: record + apply + decide to re-run (median of ${run.iterations.toLocaleString("en")})`,
        value: r.us,
        unit: "µs",
        baselineName: `same, ${run.sizes[0]} fields`,
        baseline: base,
        note: `${r.us / base <= 2 ? "within 2×" : "NOT within 2×"}; whole state as JSON instead: ${r.fullJsonMs.toFixed(2)} ms`,
      });
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("core: one state change, by state size", await benchCoreDelta());
}
