/**
 * `npm run bench`: runs every registered bench suite and prints each figure
 * beside its baseline, measured in the same run, with their ratio.
 *
 *   npm run bench               # every suite
 *   npm run bench -- core       # suites whose id contains "core"
 *
 * To add a suite: write `bench/<name>.bench.ts` exporting a function that
 * returns `BenchRow[]` (see harness.ts), and add it to SUITES below.
 */
import { printTable, type BenchRow, type BenchSuite } from "./harness.ts";

const SUITES: BenchSuite[] = [
  {
    id: "core-delta",
    title: "core: one state change, by state size (must stay within 2× of the 100-field figure)",
    run: async () => (await import("./core-delta.bench.ts")).benchCoreDelta(),
  },
  {
    id: "core-calls",
    title: "core: work calls through the test driver (in-process works)",
    run: async () => (await import("./core-calls.bench.ts")).benchCoreCalls(),
  },
  {
    id: "local-workers",
    title: "local mode (worker threads)",
    run: async () => (await import("./local-workers.bench.ts")).benchLocalWorkers(),
  },
  {
    id: "server",
    title: "app server (state change to a client; deltas from 4 clients)",
    run: async () => (await import("./server.bench.ts")).benchServer(),
  },
  {
    id: "storage",
    title: "storage (transfer engine between two roots on one disk)",
    run: async () => (await import("./storage.bench.ts")).benchStorage(),
  },
];

const filters = process.argv.slice(2).filter((a) => !a.startsWith("-"));
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
    rows = await suite.run();
  } catch (error) {
    failed++;
    console.error(`\n## ${suite.title}\n\nbench ${suite.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    continue;
  }
  printTable(suite.title, rows);
  console.log(`\n(${suite.id}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
console.log(`\nbench: ${chosen.length - failed} of ${chosen.length} suite(s) ran in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
// Some suites leave worker threads or sockets for the runtime to close; the figures are out.
process.exit(failed ? 1 : 0);
