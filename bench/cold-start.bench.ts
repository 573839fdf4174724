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

/**
 * The stamps of one timed toy run, ms since the spawn: `module-loaded` (the
 * main thread), `app-thread-loaded` (the app module again, in the app's
 * thread), `first-pass`, `A-loaded` and `B-loaded` (the app module in each
 * work's worker), `A-ran`, `B-ran`, `stop`, and `exit`.
 */
function timedRun(env: Record<string, string>): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(BUN, ["run", "bench/fixtures/toy-timed-app.ts"], { cwd: root, env: childEnv({ ...env, LIT_BENCH_T0: String(t0), NO_COLOR: "1" }), stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const stamps: Record<string, number> = { exit: Date.now() - t0 };
      const mainLoads: number[] = [];
      for (const m of out.matchAll(/^(?:root\.work([AB]) \| )?bench stamp (\S+) (\d+)$/gm)) {
        const [, work, phase, ms] = m as unknown as [string, string | undefined, string, string];
        if (phase === "module-loaded" && !work) mainLoads.push(Number(ms));
        else if (phase === "module-loaded") stamps[`${work}-loaded`] ??= Number(ms);
        else stamps[phase.startsWith("work-ran-") ? `${phase.slice("work-ran-".length)}-ran` : phase] ??= Number(ms);
      }
      stamps["module-loaded"] = mainLoads[0]!;
      stamps["app-thread-loaded"] = mainLoads[1]!;
      const need = ["module-loaded", "app-thread-loaded", "first-pass", "A-loaded", "A-ran", "B-loaded", "B-ran", "stop"];
      const missing = need.filter((k) => !Number.isFinite(stamps[k]));
      if (code !== 0 || missing.length) {
        reject(new Error(`the timed toy app exited ${code} without its stamps ${missing.join(", ")}; it printed ${JSON.stringify(out.slice(-600))}`));
        return;
      }
      resolve(stamps);
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
  const span = (from: string, to: string) => median(timed.map((t) => t[to]! - t[from]!));
  const of = `median of ${runs}`;
  const whole = "toy app cold start to exit (timed)";
  const phase = (name: string, value: number): BenchRow => ({ name: `phase: ${name}`, value, unit: "ms", baselineName: whole, baseline: at("exit") });
  const rows: BenchRow[] = [
    { name: `toy app cold start to exit (Bun, ${of})`, value: toy, unit: "ms", baselineName: "bun -e ''", baseline: bare, note: `${(toy - bare).toFixed(0)} ms above; target ≤ 100 ms` },
    { name: "variant: import lit-app, nothing else", value: imported, unit: "ms", baselineName: "bun -e ''", baseline: bare, note: `module loading ≈ ${(imported - bare).toFixed(0)} ms` },
    { name: "variant: app without works, server off", value: emptyOff, unit: "ms", baselineName: "import lit-app only", baseline: imported, note: `app runtime start + stop ≈ ${(emptyOff - imported).toFixed(0)} ms` },
    { name: "variant: app without works, server on", value: emptyOn, unit: "ms", baselineName: "the same, server off", baseline: emptyOff, note: `server ≈ ${(emptyOn - emptyOff).toFixed(0)} ms` },
    { name: "variant: toy app, server off", value: toyOff, unit: "ms", baselineName: "app without works, server off", baseline: emptyOff, note: `2 workers + passes ≈ ${(toyOff - emptyOff).toFixed(0)} ms` },
    { name: "variant: toy app, server on", value: toy, unit: "ms", baselineName: "toy app, server off", baseline: toyOff, note: `server ≈ ${(toy - toyOff).toFixed(0)} ms` },
    phase("spawn → app module evaluated in the main thread (runtime + lit-app loaded)", at("module-loaded")),
    phase("→ app module evaluated again in the app's thread", span("module-loaded", "app-thread-loaded")),
    phase("→ flow's first pass (app runtime, server start)", span("app-thread-loaded", "first-pass")),
    phase("first pass → app module evaluated in work A's worker", span("first-pass", "A-loaded")),
    phase("→ work A's call running", span("A-loaded", "A-ran")),
    phase("first pass → app module evaluated in work B's worker", span("first-pass", "B-loaded")),
    phase("→ work B's call running", span("B-loaded", "B-ran")),
    phase("work B's call running → flow's stop", span("B-ran", "stop")),
    phase("stop → exit (shutdown)", span("stop", "exit")),
  ];
  return rows;
}
