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
import { median, printTable, type BenchRow } from "./harness.ts";

const CALLS = 10_000;
const CACHED_PASSES = 21;
const SEQUENTIAL_ROUNDS = 3;

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
  run() {
    if (this._mode === "sequential") {
      const k = this.echo.numSuccesses;
      if (k < CALLS) this.echo.run(k);
      return;
    }
    for (let k = 0; k < CALLS; k++) this.echo.run(k);
  }
}

async function directCalls(): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  for (let k = 0; k < CALLS; k++) sum += await echo(k);
  const ms = performance.now() - t0;
  if (sum !== (CALLS * (CALLS - 1)) / 2) throw new Error("direct calls: wrong sum");
  return ms;
}

/** 10,000 sequential calls through a fresh app; returns the ms and the app, settled. */
async function sequentialCalls(): Promise<{ ms: number; t: TestApp<Caller> }> {
  const t = new TestApp<Caller>(new LightningApp(new Caller()), { maxPasses: CALLS * 10 });
  const t0 = performance.now();
  await t.start();
  const ms = performance.now() - t0;
  if (t.root.echo.numSuccesses !== CALLS) throw new Error(`sequential calls: ${t.root.echo.numSuccesses} succeeded, not ${CALLS}`);
  return { ms, t };
}

function memoLookup(cache: Map<string, number>): number {
  let hits = 0;
  const t0 = performance.now();
  for (let k = 0; k < CALLS; k++) if (cache.has(JSON.stringify([k]))) hits++;
  const ms = performance.now() - t0;
  if (hits !== CALLS) throw new Error("memo: missing hits");
  return ms;
}

/** The call figures; each is measured in turns with its baseline, so load weighs on both alike. */
export async function benchCoreCalls(): Promise<BenchRow[]> {
  await directCalls(); // warm-up
  const direct: number[] = [];
  const sequential: number[] = [];
  let last: TestApp<Caller> | undefined;
  for (let round = 0; round < SEQUENTIAL_ROUNDS; round++) {
    direct.push(await directCalls());
    const run = await sequentialCalls();
    sequential.push(run.ms);
    if (last) await last.stop();
    last = run.t;
  }
  const t = last!;
  const passes = t.passes;

  const cache = new Map<string, number>();
  for (let k = 0; k < CALLS; k++) cache.set(JSON.stringify([k]), k);
  t.root._mode = "cached";
  const cachedTimes: number[] = [];
  const memoTimes: number[] = [];
  for (let r = 0; r < CACHED_PASSES; r++) {
    t.runtime.markDirty();
    const c0 = performance.now();
    const ran = t.runtime.runPendingPass();
    cachedTimes.push(performance.now() - c0);
    if (!ran) throw new Error("cache-hit pass did not run");
    memoTimes.push(memoLookup(cache));
  }
  await t.settle();
  if (t.root.echo.numSuccesses !== CALLS || t.executor.busy) throw new Error("a cache-hit call ran the work again");
  await t.stop();
  const seq = median(sequential);
  const dir = median(direct);
  const cached = median(cachedTimes);

  return [
    {
      name: `${CALLS.toLocaleString("en")} sequential distinct calls, in-process (flow → call → succeeded → next pass): per call`,
      value: (seq / CALLS) * 1000,
      unit: "µs",
      baselineName: "awaiting the same async function directly",
      baseline: (dir / CALLS) * 1000,
      note: `median of ${SEQUENTIAL_ROUNDS} runs of ${(seq / 1000).toFixed(2)} s, ${passes.toLocaleString("en")} passes each; overhead ${(((seq - dir) / CALLS) * 1000).toFixed(1)} µs/call`,
    },
    {
      name: `${CALLS.toLocaleString("en")} cache-hit calls in one pass: per call (median of ${CACHED_PASSES} passes)`,
      value: (cached / CALLS) * 1000,
      unit: "µs",
      baselineName: "hand-written memo (JSON key, Map.has)",
      baseline: (median(memoTimes) / CALLS) * 1000,
      note: `${cached.toFixed(2)} ms per pass`,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("core: work calls", await benchCoreCalls());
}
