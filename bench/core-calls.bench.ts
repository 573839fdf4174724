/**
 * The core's per-call overhead, with works run in-process through the test
 * driver: 10,000 sequential distinct calls (flow → call → succeeded → next
 * pass) beside awaiting the same async function 10,000 times, and 10,000
 * cache-hit calls in one pass beside a hand-written memo lookup.
 *
 * Run alone: node --import tsx bench/core-calls.bench.ts
 */
import { pathToFileURL } from "node:url";
import { LightningApp, LightningFlow, LightningWork } from "@lit-app/core";
import { TestApp } from "@lit-app/core/testing";
import { FULL, median, printTable, type BenchOptions, type BenchRow } from "./harness.ts";

/** Calls per measurement, cache-hit passes and sequential rounds, full and tiny. */
const RUNS = {
  full: { calls: 10_000, cachedPasses: 21, sequentialRounds: 3 },
  tiny: { calls: 200, cachedPasses: 3, sequentialRounds: 1 },
} as const;

/** The work's body, also called directly as the baseline. */
async function echo(k: number): Promise<number> {
  return k;
}

class Echo extends LightningWork {
  async run(k: number) {
    return echo(k);
  }
}

class Caller extends LightningFlow {
  echo = new Echo();
  _mode: "sequential" | "cached" = "sequential";
  _calls: number;
  constructor(calls: number) {
    super();
    this._calls = calls;
  }
  run() {
    if (this._mode === "sequential") {
      const k = this.echo.numSuccesses;
      if (k < this._calls) this.echo.run(k);
      return;
    }
    for (let k = 0; k < this._calls; k++) this.echo.run(k);
  }
}

async function directCalls(calls: number): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  for (let k = 0; k < calls; k++) sum += await echo(k);
  const ms = performance.now() - t0;
  if (sum !== (calls * (calls - 1)) / 2) throw new Error("direct calls: wrong sum");
  return ms;
}

/** `calls` sequential calls through a fresh app; returns the ms and the app, settled. */
async function sequentialCalls(calls: number): Promise<{ ms: number; t: TestApp<Caller> }> {
  const t = new TestApp<Caller>(new LightningApp(new Caller(calls)), { maxPasses: calls * 10 });
  const t0 = performance.now();
  await t.start();
  const ms = performance.now() - t0;
  if (t.root.echo.numSuccesses !== calls) throw new Error(`sequential calls: ${t.root.echo.numSuccesses} succeeded, not ${calls}`);
  return { ms, t };
}

function memoLookup(cache: Map<string, number>, calls: number): number {
  let hits = 0;
  const t0 = performance.now();
  for (let k = 0; k < calls; k++) if (cache.has(JSON.stringify([k]))) hits++;
  const ms = performance.now() - t0;
  if (hits !== calls) throw new Error("memo: missing hits");
  return ms;
}

/** The call figures; each is measured in turns with its baseline, so load weighs on both alike. */
export async function benchCoreCalls(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const { calls, cachedPasses, sequentialRounds } = options.tiny ? RUNS.tiny : RUNS.full;
  await directCalls(calls); // warm-up
  const direct: number[] = [];
  const sequential: number[] = [];
  let last: TestApp<Caller> | undefined;
  for (let round = 0; round < sequentialRounds; round++) {
    direct.push(await directCalls(calls));
    const run = await sequentialCalls(calls);
    sequential.push(run.ms);
    if (last) await last.stop();
    last = run.t;
  }
  const t = last!;
  const passes = t.passes;

  const cache = new Map<string, number>();
  for (let k = 0; k < calls; k++) cache.set(JSON.stringify([k]), k);
  t.root._mode = "cached";
  const cachedTimes: number[] = [];
  const memoTimes: number[] = [];
  for (let r = 0; r < cachedPasses; r++) {
    t.engine.markDirty();
    const c0 = performance.now();
    const ran = t.engine.runPendingPass();
    cachedTimes.push(performance.now() - c0);
    if (!ran) throw new Error("cache-hit pass did not run");
    memoTimes.push(memoLookup(cache, calls));
  }
  await t.settle();
  if (t.root.echo.numSuccesses !== calls || t.executor.busy) throw new Error("a cache-hit call ran the work again");
  await t.stop();
  const seq = median(sequential);
  const dir = median(direct);
  const cached = median(cachedTimes);

  return [
    {
      name: `${calls.toLocaleString("en")} sequential distinct calls, in-process (flow → call → succeeded → next pass): per call`,
      value: (seq / calls) * 1000,
      unit: "µs",
      baselineName: "awaiting the same async function directly",
      baseline: (dir / calls) * 1000,
      note: `median of ${sequentialRounds} runs of ${(seq / 1000).toFixed(2)} s, ${passes.toLocaleString("en")} passes each; overhead ${(((seq - dir) / calls) * 1000).toFixed(1)} µs/call`,
    },
    {
      name: `${calls.toLocaleString("en")} cache-hit calls in one pass: per call (median of ${cachedPasses} passes)`,
      value: (cached / calls) * 1000,
      unit: "µs",
      baselineName: "hand-written memo (JSON key, Map.has)",
      baseline: (median(memoTimes) / calls) * 1000,
      note: `${cached.toFixed(2)} ms per pass`,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("core: work calls", await benchCoreCalls());
}
