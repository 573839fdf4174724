/**
 * Where the toy app's cold start to exit goes on Bun. Two views, measured in
 * one run:
 *
 * - variants, each to exit, beside `bun -e ''`: lit-app imported and
 *   nothing else (module loading); an app without works, with the server off
 *   and on (the app runtime; the server); the toy app with the server off and
 *   on (worker start, passes, shutdown);
 * - timestamps the toy app prints (bench/fixtures/toy-timed-app.ts), as ms
 *   since the spawn: module evaluated, the flow's first pass, each work's
 *   call running in its worker, the stop; then the exit.
 *
 * Each phase is printed beside the whole cold start.
 */
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { childEnv, FULL, median, type BenchOptions, type BenchRow } from "./harness.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const BUN = join(root, "node_modules", ".bin", "bun");

/** Runs per figure (medians), full and tiny. */
const RUNS = { full: 15, tiny: 1 } as const;

/** Median wall time, ms, of `bun <args>` to exit. */
function medianRun(args: string[], env: Record<string, string>, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(BUN, args, { cwd: root, env: childEnv(env), stdio: "ignore" });
    if (r.status !== 0) throw new Error(`bun ${args.join(" ")} exited ${r.status}`);
    times.push(performance.now() - t);
  }
  return median(times);
}

/** The phases of one timed toy run: ms since the spawn at each stamp, and at the exit. */
function timedRun(env: Record<string, string>): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(BUN, ["run", "bench/fixtures/toy-timed-app.ts"], { cwd: root, env: childEnv({ ...env, LIT_BENCH_T0: String(t0), NO_COLOR: "1" }), stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const exit = Date.now() - t0;
      const stamps: Record<string, number> = {};
      const loads: number[] = [];
      for (const m of out.matchAll(/bench stamp (\S+) (\d+)/g)) {
        if (m[1] === "module-loaded") loads.push(Number(m[2]));
        else stamps[m[1]!] ??= Number(m[2]);
      }
      const need = ["first-pass", "work-ran-A", "work-ran-B", "stop"];
      if (code !== 0 || loads.length === 0 || need.some((k) => stamps[k] === undefined)) {
        reject(new Error(`the timed toy app exited ${code} without its stamps; it printed ${JSON.stringify(out.slice(-600))}`));
        return;
      }
      resolve({ ...stamps, "module-loaded": loads[0]!, "worker-module-loaded": loads.length > 1 ? Math.max(...loads) : Number.NaN, exit });
    });
  });
}

/** Runs the cold start benchmark and returns its rows. */
export async function benchColdStart(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const runs = options.tiny ? RUNS.tiny : RUNS.full;
  const off = { LIT_NO_SERVER: "1" };
  const bare = medianRun(["-e", ""], {}, runs);
  const imported = medianRun(["run", "bench/fixtures/import-only.ts"], {}, runs);
  const emptyOff = medianRun(["run", "bench/fixtures/empty-app.ts"], off, runs);
  const emptyOn = medianRun(["run", "bench/fixtures/empty-app.ts"], {}, runs);
  const toyOff = medianRun(["run", "examples/workflow/app.ts"], off, runs);
  const toy = medianRun(["run", "examples/workflow/app.ts"], {}, runs);
  const timed: Record<string, number>[] = [];
  for (let i = 0; i < runs; i++) timed.push(await timedRun({}));
  const at = (k: string) => median(timed.map((t) => t[k]!));
  const workerLoaded = median(timed.map((t) => t["worker-module-loaded"]!).filter(Number.isFinite));
  const firstWork = median(timed.map((t) => Math.min(t["work-ran-A"]!, t["work-ran-B"]!)));
  const of = `median of ${runs}`;
  const whole = "toy app cold start to exit";
  const rows: BenchRow[] = [
    { name: `toy app cold start to exit (Bun, ${of})`, value: toy, unit: "ms", baselineName: "bun -e ''", baseline: bare, note: `${(toy - bare).toFixed(0)} ms above; target ≤ 100 ms` },
    { name: "variant: import lit-app, nothing else", value: imported, unit: "ms", baselineName: "bun -e ''", baseline: bare, note: `module loading ≈ ${(imported - bare).toFixed(0)} ms` },
    { name: "variant: app without works, server off", value: emptyOff, unit: "ms", baselineName: "import lit-app only", baseline: imported, note: `app runtime start + stop ≈ ${(emptyOff - imported).toFixed(0)} ms` },
    { name: "variant: app without works, server on", value: emptyOn, unit: "ms", baselineName: "the same, server off", baseline: emptyOff, note: `server ≈ ${(emptyOn - emptyOff).toFixed(0)} ms` },
    { name: "variant: toy app, server off", value: toyOff, unit: "ms", baselineName: "app without works, server off", baseline: emptyOff, note: `2 workers + passes ≈ ${(toyOff - emptyOff).toFixed(0)} ms` },
    { name: "variant: toy app, server on", value: toy, unit: "ms", baselineName: "toy app, server off", baseline: toyOff, note: `server ≈ ${(toy - toyOff).toFixed(0)} ms` },
    { name: "phase: spawn → app module evaluated (runtime + lit-app loaded)", value: at("module-loaded"), unit: "ms", baselineName: whole, baseline: at("exit") },
    { name: "phase: app module evaluated → flow's first pass (app runtime, server)", value: at("first-pass") - at("module-loaded"), unit: "ms", baselineName: whole, baseline: at("exit") },
    { name: "phase: first pass → app module evaluated in a worker", value: workerLoaded - at("first-pass"), unit: "ms", baselineName: whole, baseline: at("exit") },
    { name: "phase: first pass → first work call running (worker start)", value: firstWork - at("first-pass"), unit: "ms", baselineName: whole, baseline: at("exit") },
    { name: "phase: first work call running → stop (calls, passes)", value: at("stop") - firstWork, unit: "ms", baselineName: whole, baseline: at("exit") },
    { name: "phase: stop → exit (shutdown)", value: at("exit") - at("stop"), unit: "ms", baselineName: whole, baseline: at("exit") },
  ];
  return rows;
}
