/**
 * Where the toy app's cold start to exit goes on Bun, each figure beside a
 * bare `bun -e ''` measured in the same run:
 *
 * - phases, from timestamps the toy app prints (bench/fixtures/toy-timed-app.ts)
 *   as ms since the spawn: module loading (the app's module evaluated in the
 *   main thread, then in the app's thread), the server (its modules loaded and
 *   routes built, then listening and the app engine started: the flow's first
 *   pass), worker start (first pass → each work's call running in its
 *   thread), and first pass → exit (the calls, the stop, the shutdown);
 * - the CPU time of the timed run's process (all its threads): on 2 cores, what
 *   the threads do in parallel is bounded by it (≈ half of it, wall time);
 * - variants, each to exit: lit-app imported and nothing else; an app without
 *   works, with the server off and on; the toy app with the server off and on.
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

/** Epoch ms with the sub-millisecond part, the clock the timed app stamps with. */
const now = () => performance.timeOrigin + performance.now();

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

/** The stamps of one timed run, ms since the spawn (see {@link timedRun}), and its process's CPU time, ms. */
type Stamps = Record<(typeof STAMPS)[number] | "exit" | "cpu", number>;

/**
 * `main-loaded` and `app-thread-loaded` (the app's module evaluated in the main thread, then in the app's
 * thread), `server-built`, `first-pass`, `A-ran` and `B-ran` (each work's call running in its thread),
 * `stop`; the bench adds `exit`.
 */
const STAMPS = ["main-loaded", "app-thread-loaded", "server-built", "first-pass", "A-ran", "B-ran", "stop"] as const;

/** Reads the stamps the timed toy app printed. */
function readStamps(out: string): Partial<Stamps> {
  const stamps: Partial<Record<string, number>> = {};
  const unprefixed: number[] = [];
  for (const m of out.matchAll(/^(?:root\.work[AB] \| )?bench stamp (\S+) ([\d.]+)$/gm)) {
    const [line, phase, ms] = m as unknown as [string, string, string];
    if (phase !== "module-loaded") stamps[phase.startsWith("work-ran-") ? `${phase.slice("work-ran-".length)}-ran` : phase] ??= Number(ms);
    else if (!line.startsWith("root.")) unprefixed.push(Number(ms));
  }
  // The main thread evaluates the app's module first; the app's thread once told to start.
  unprefixed.sort((a, b) => a - b);
  stamps["main-loaded"] = unprefixed[0];
  stamps["app-thread-loaded"] = unprefixed[1];
  // The process's CPU time at its exit: the largest of the lines its threads print as they end.
  const cpu = [...out.matchAll(/bench cpu ([\d.]+)$/gm)].map((m) => Number(m[1]));
  if (cpu.length) stamps.cpu = Math.max(...cpu);
  return stamps;
}

/** One run of the timed toy app: its stamps, ms since the spawn. */
function timedRun(): Promise<Stamps> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(BUN, ["run", "bench/fixtures/toy-timed-app.ts"], {
      cwd: root,
      env: childEnv({ LIT_BENCH_T0: String(t0), NO_COLOR: "1" }),
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const stamps = { ...readStamps(out), exit: now() - t0 };
      const missing = [...STAMPS, "cpu" as const].filter((k) => !Number.isFinite(stamps[k]));
      if (code !== 0 || missing.length) {
        reject(new Error(`the timed toy app exited ${code} without its stamps ${missing.join(", ")}; it printed ${JSON.stringify(out.slice(-600))}`));
        return;
      }
      resolve(stamps as Stamps);
    });
  });
}

/** Runs the cold start benchmark and returns its rows. */
export async function benchColdStart(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const runs = options.tiny ? RUNS.tiny : RUNS.full;
  const off = { LIT_NO_SERVER: "1" };
  const bare = medianRun(["-e", ""], {}, runs);
  const timed: Stamps[] = [];
  for (let i = 0; i < runs; i++) timed.push(await timedRun());
  const toy = medianRun(["run", "examples/workflow/app.ts"], {}, runs);
  const imported = medianRun(["run", "bench/fixtures/import-only.ts"], {}, runs);
  const emptyOff = medianRun(["run", "bench/fixtures/empty-app.ts"], off, runs);
  const emptyOn = medianRun(["run", "bench/fixtures/empty-app.ts"], {}, runs);
  const toyOff = medianRun(["run", "examples/workflow/app.ts"], off, runs);

  const whole = median(timed.map((t) => t.exit));
  const span = (from: keyof Stamps, to: keyof Stamps) => median(timed.map((t) => t[to] - t[from]));
  const base = "bun -e ''";
  const phase = (name: string, value: number, what: string): BenchRow => ({
    name: `phase: ${name}`,
    value,
    unit: "ms",
    baselineName: base,
    baseline: bare,
    note: `${what}; ${((value / whole) * 100).toFixed(0)}% of the run`,
  });
  const of = `median of ${runs}`;
  return [
    { name: `toy app cold start to exit (Bun, ${of})`, value: toy, unit: "ms", baselineName: base, baseline: bare, note: `${(toy - bare).toFixed(0)} ms above; target ≤ 100 ms` },
    { name: "toy app cold start to exit, timed (stamps printed)", value: whole, unit: "ms", baselineName: base, baseline: bare, note: "the run the phases split" },
    phase("module loading, main thread", timedSpan(timed, "main-loaded"), "spawn → app module evaluated (runtime, lit-app, app file)"),
    phase("module loading, app's thread", span("main-loaded", "app-thread-loaded"), "→ evaluated again in the app's thread (started early)"),
    phase("server: modules, routes", span("app-thread-loaded", "server-built"), "→ server modules loaded, routes built (works' threads start meanwhile)"),
    phase("server: listen, engine start", span("server-built", "first-pass"), "→ server listening, app engine started: first pass (the discovery file is written meanwhile)"),
    phase("worker start, work A", span("first-pass", "A-ran"), "first pass → work A's call running"),
    phase("worker start, work B", span("first-pass", "B-ran"), "first pass → work B's call running"),
    phase("first pass → exit", span("first-pass", "exit"), "calls, stop, shutdown, exit"),
    phase("stop → exit", span("stop", "exit"), "of which the shutdown (threads, server ended)"),
    {
      name: "CPU time of the timed run (all threads)",
      value: median(timed.map((t) => t.cpu)),
      unit: "ms",
      baselineName: "its wall time",
      baseline: whole,
      note: "on 2 cores the run takes at least about half of it",
    },
    { name: "variant: import lit-app, nothing else", value: imported, unit: "ms", baselineName: base, baseline: bare, note: `module loading ≈ ${(imported - bare).toFixed(0)} ms` },
    { name: "variant: app without works, server off", value: emptyOff, unit: "ms", baselineName: "import lit-app only", baseline: imported, note: `app's thread + app engine start and stop ≈ ${(emptyOff - imported).toFixed(0)} ms` },
    { name: "variant: app without works, server on", value: emptyOn, unit: "ms", baselineName: "the same, server off", baseline: emptyOff, note: `server ≈ ${(emptyOn - emptyOff).toFixed(0)} ms` },
    { name: "variant: toy app, server off", value: toyOff, unit: "ms", baselineName: "app without works, server off", baseline: emptyOff, note: `2 works' threads + passes ≈ ${(toyOff - emptyOff).toFixed(0)} ms` },
    { name: "variant: toy app, server on", value: toy, unit: "ms", baselineName: "toy app, server off", baseline: toyOff, note: `server ≈ ${(toy - toyOff).toFixed(0)} ms` },
  ];
}

/** The median of one stamp, ms since the spawn. */
function timedSpan(timed: readonly Stamps[], stamp: keyof Stamps): number {
  return median(timed.map((t) => t[stamp]));
}
