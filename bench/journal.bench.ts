/**
 * Durable state: one change of a work's field reaching the flow (the delta
 * event, the flow's pass that it triggers) with the app's journal on disk
 * (lit-app's file journal: one line per pass, written every 10 ms) beside the
 * same app without a journal. The writes are timed too: each block of changes
 * ends with the journal's flush, as its timer would. Target: within 1.2×.
 *
 * Run alone: node --import tsx bench/journal.bench.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LightningApp, LightningFlow, LightningWork } from "@lit-app/core";
import { AppEngine, loadWork, type StateJournal, type VarOp, type WorkEvent, type WorkExecutor } from "@lit-app/core/internal";
import { FakeClock } from "@lit-app/core/testing";
import { openFileJournal, readJournal } from "lit-app/internal";
import { FULL, median, printTable, type BenchOptions, type BenchRow } from "./harness.ts";

const RUNS = {
  full: { fields: 100, blocks: 400, block: 100, warmup: 40 },
  tiny: { fields: 100, blocks: 10, block: 20, warmup: 2 },
} as const;

class Wide extends LightningWork {
  constructor(n: number) {
    super({ startWithFlow: false });
    const fields = this as unknown as Record<string, number>;
    for (let i = 0; i < n; i++) fields[`f${i}`] = i;
  }
  async run() {}
}

class Watcher extends LightningFlow {
  wide: Wide;
  seen = 0;
  constructor(n: number) {
    super();
    this.wide = new Wide(n);
  }
  run() {
    this.seen = (this.wide as unknown as Record<string, number>).f0!;
  }
}

/** An executor whose works run elsewhere: here it only passes their deltas to the engine. */
class DeltaExecutor implements WorkExecutor {
  emit: (event: WorkEvent) => void = () => {};
  bind(emit: (event: WorkEvent) => void): void {
    this.emit = emit;
  }
  async start(): Promise<void> {}
  call(): void {}
  async stop(): Promise<void> {}
  async close(): Promise<void> {}
}

interface Subject {
  /** Makes `count` changes (each a delta and the pass it triggers) and returns the ms per change. */
  block(count: number): number;
  finish(): Promise<void>;
}

async function subject(n: number, journal: StateJournal | undefined): Promise<Subject> {
  const clock = new FakeClock();
  const executor = new DeltaExecutor();
  const engine = new AppEngine(new LightningApp(new Watcher(n)), { executor, clock, ...(journal ? { journal } : {}) });
  void engine.start();
  await engine.started;
  clock.runSoon();
  const ops: VarOp[] = [];
  const loaded = loadWork({
    app: new LightningApp(new Watcher(n)),
    name: "root.wide",
    className: "Wide",
    constructorOptions: {},
    state: engine.stateDocument().components["root.wide"]!.vars,
    onOp: (op) => ops.push(op),
    now: () => clock.now(),
  });
  const work = loaded.work as unknown as Record<string, number>;
  let value = n;
  return {
    block(count) {
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        work.f0 = ++value;
        executor.emit({ type: "delta", work: "root.wide", ops: ops.splice(0) });
        clock.runSoon();
      }
      journal?.flush();
      return (performance.now() - t0) / count;
    },
    async finish() {
      if ((engine.app.root as Watcher).seen !== value) throw new Error(`the flow saw ${(engine.app.root as Watcher).seen}, not the last value ${value}`);
      await engine.stop();
    },
  };
}

/** Per change, with the journal beside without; the two take turns block by block. */
export async function benchJournal(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const run = options.tiny ? RUNS.tiny : RUNS.full;
  const dir = mkdtempSync(join(tmpdir(), "lit-bench-journal-"));
  try {
    const plain = await subject(run.fields, undefined);
    const journaled = await subject(run.fields, openFileJournal(dir));
    const without: number[] = [];
    const withJournal: number[] = [];
    for (let b = 0; b < run.blocks + run.warmup; b++) {
      const a = plain.block(run.block);
      const j = journaled.block(run.block);
      if (b >= run.warmup) {
        without.push(a);
        withJournal.push(j);
      }
    }
    await plain.finish();
    await journaled.finish();
    const kept = readJournal(dir);
    const last = kept?.state.doc.components["root.wide"]?.vars.f0;
    if (last !== run.fields + (run.blocks + run.warmup) * run.block) throw new Error(`the journal holds f0 = ${String(last)}, not the last value`);
    const base = median(without) * 1000;
    const value = median(withJournal) * 1000;
    return [
      {
        name: `a work's field changed, the flow's pass after it, with the app's journal on disk (median of ${run.blocks} blocks of ${run.block})`,
        value,
        unit: "µs",
        baselineName: "same app, no journal",
        baseline: base,
        note: value / base <= 1.2 ? "within 1.2×" : "NOT within 1.2×",
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("durable state: journal overhead per state change", await benchJournal());
}
