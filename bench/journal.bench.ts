/**
 * Durable state: one change of a work's field reaching the flow (the delta
 * event, the flow's pass that it triggers) with the app's journal on disk
 * (lit-app's file journal: one line per pass, written every 10 ms) beside the
 * same app without a journal. The writes are timed too: a block of changes
 * yields to the event loop every 100 changes, so the journal's timer writes
 * as it would in a running app, and it ends with the journal's flush (nothing
 * is left to be written during the other app's block). Timed in CPU time
 * (user and system) of this process: the cost, whatever else the machine runs. Two cases: one field changed again and again
 * (written once per write), and each change to another field (nothing to
 * leave out). Target: within 1.2×.
 *
 * Run alone: node --import tsx bench/journal.bench.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LightningApp, LightningFlow, LightningWork } from "@lit-app/core";
import type { StateJournal } from "@lit-app/core/internal";
import { openFileJournal, readJournal } from "lit-app/internal";
import { engineAndWorkSide } from "./fixtures/delta-executor.ts";
import { FULL, median, printTable, type BenchOptions, type BenchRow } from "./harness.ts";

const RUNS = {
  // A block takes some 20 ms: the journal's 10 ms timer writes during it, as in a running app.
  full: { fields: 100, blocks: 30, block: 5000, warmup: 3 },
  tiny: { fields: 100, blocks: 4, block: 200, warmup: 1 },
} as const;

class Wide extends LightningWork {
  constructor(n: number) {
    super({ startWithFlow: false });
    const fields = this as unknown as Record<string, number>;
    for (let i = 0; i < n; i++) fields[`f${i}`] = i;
    fields.last = 0;
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
    this.seen = (this.wide as unknown as Record<string, number>).last!;
  }
}

interface Subject {
  /** Makes `count` changes (each a delta and the pass it triggers) and resolves with the CPU ms (user and system) per change. */
  block(count: number): Promise<number>;
  finish(): Promise<void>;
}

/** `same`: every change is to one field (the journal writes it once per write); `spread`: each to another field. */
type Variant = "same" | "spread";

async function subject(n: number, journal: StateJournal | undefined, variant: Variant): Promise<Subject> {
  const { engine, executor, clock, ops, loaded } = await engineAndWorkSide(() => new LightningApp(new Watcher(n)), journal);
  const work = loaded.work as unknown as Record<string, number>;
  let value = n;
  return {
    async block(count) {
      const t0 = process.cpuUsage();
      for (let i = 0; i < count; i++) {
        if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
        value++;
        if (variant === "same") work.f0 = value;
        else work[`f${value % n}`] = value;
        work.last = value;
        executor.emit({ type: "delta", work: "root.wide", ops: ops.splice(0) });
        clock.runSoon();
      }
      journal?.flush();
      const used = process.cpuUsage(t0);
      return (used.user + used.system) / 1000 / count;
    },
    async finish() {
      if ((engine.app.root as Watcher).seen !== value) throw new Error(`the flow saw ${(engine.app.root as Watcher).seen}, not the last value ${value}`);
      await engine.stop();
    },
  };
}

/** Per change, with the journal beside without; the two take turns block by block. */
async function measure(run: (typeof RUNS)[keyof typeof RUNS], variant: Variant): Promise<BenchRow> {
  const dir = mkdtempSync(join(tmpdir(), "lit-bench-journal-"));
  try {
    const plain = await subject(run.fields, undefined, variant);
    const journaled = await subject(run.fields, openFileJournal(dir), variant);
    const without: number[] = [];
    const withJournal: number[] = [];
    for (let b = 0; b < run.blocks + run.warmup; b++) {
      const a = await plain.block(run.block);
      const j = await journaled.block(run.block);
      if (b >= run.warmup) {
        without.push(a);
        withJournal.push(j);
      }
    }
    await plain.finish();
    await journaled.finish();
    const kept = readJournal(dir);
    const last = kept?.state.doc.components["root.wide"]?.vars.last;
    if (last !== run.fields + (run.blocks + run.warmup) * run.block) throw new Error(`the journal holds f0 = ${String(last)}, not the last value`);
    const base = median(without) * 1000;
    const value = median(withJournal) * 1000;
    const what = variant === "same" ? "one field of a work changed again and again" : "each time another field of a work changed";
    return {
      name: `${what}, the flow's pass after it, with the app's journal on disk (median of ${run.blocks} blocks of ${run.block.toLocaleString("en")})`,
      value,
      unit: "µs CPU",
      baselineName: "same app, no journal",
      baseline: base,
      note: value / base <= 1.2 ? "within 1.2×" : "NOT within 1.2×",
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The journal's cost per state change, for a field that changes often and for changes spread over many fields. */
export async function benchJournal(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const run = options.tiny ? RUNS.tiny : RUNS.full;
  return [await measure(run, "same"), await measure(run, "spread")];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("durable state: journal overhead per state change", await benchJournal());
}
