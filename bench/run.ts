/**
 * `npm run bench`: runs every registered bench suite (suites.ts) and prints
 * each figure beside its baseline, measured in the same run, with their ratio.
 *
 *   npm run bench               # every suite
 *   npm run bench -- core       # suites whose id contains "core"
 *   npm run bench -- --tiny     # every suite once at a tiny size, in seconds: checks
 *                               # that they still run (figures mean nothing); also
 *                               # LIT_BENCH_TINY=1. Exits 1 on a non-finite figure.
 */
import { printTable, rowProblems, type BenchOptions, type BenchRow } from "./harness.ts";
import { SUITES } from "./suites.ts";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a.startsWith("-") && a !== "--tiny");
if (unknown.length) {
  console.error(`bench: unknown option ${unknown.join(", ")}. Usage: npm run bench -- [--tiny] [suite id ...]. Suites: ${SUITES.map((s) => s.id).join(", ")}.`);
  process.exit(2);
}
const options: BenchOptions = { tiny: args.includes("--tiny") || process.env.LIT_BENCH_TINY === "1" };
const filters = args.filter((a) => !a.startsWith("-"));
const chosen = filters.length ? SUITES.filter((s) => filters.some((f) => s.id.includes(f))) : SUITES;
if (chosen.length === 0) {
  console.error(`bench: no suite matches ${filters.join(", ")}. Suites: ${SUITES.map((s) => s.id).join(", ")}.`);
  process.exit(2);
}

let failed = 0;
const started = performance.now();
for (const suite of chosen) {
  const t0 = performance.now();
  let rows: BenchRow[];
  try {
    rows = await suite.run(options);
  } catch (error) {
    failed++;
    console.error(`\n## ${suite.title}\n\nbench ${suite.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    continue;
  }
  printTable(options.tiny ? `${suite.title} [tiny: figures mean nothing]` : suite.title, rows);
  const problems = options.tiny ? rowProblems(rows) : [];
  if (problems.length) {
    failed++;
    console.error(`\nbench ${suite.id} printed figures that are not numbers:\n  ${problems.join("\n  ")}`);
  }
  console.log(`\n(${suite.id}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
console.log(`\nbench: ${chosen.length - failed} of ${chosen.length} suite(s) ran${options.tiny ? " at the tiny size" : ""} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
// Some suites leave worker threads or sockets for the runtime to close; the figures are out.
process.exit(failed ? 1 : 0);
