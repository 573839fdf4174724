/// <reference path="../packages/local-workers/src/vendor.d.ts" />
/**
 * Local mode benchmarks (worker threads): call latency beside a raw comlink
 * round trip, many dynamic works, cold start on Bun beside `bun -e ''`, and
 * the CPU an idle app uses. Each figure is printed beside its baseline.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import * as Comlink from "comlink/dist/esm/comlink.mjs";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { childEnv, FULL, median, type BenchOptions, type BenchRow } from "./harness.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const require = createRequire(import.meta.url);
const BUN = join(dirname(require.resolve("bun/package.json")), "bin", "bun.exe");
const LIT = join(root, "packages/lit-app/bin/lit.mjs");

/** Samples, works, runs and seconds of each figure, full and tiny. */
const RUNS = {
  full: { calls: 1000, skipCalls: 50, works: 1000, coldRuns: 10, idleSettleS: 20, idleS: 10 },
  tiny: { calls: 40, skipCalls: 5, works: 5, coldRuns: 1, idleSettleS: 0.5, idleS: 1 },
} as const;

async function rawComlinkRoundTrip(n: number): Promise<number> {
  const worker = new Worker(new URL("./fixtures/ping-worker.mjs", import.meta.url));
  const remote = Comlink.wrap<{ ping(x: number): number }>(nodeEndpoint(worker));
  for (let i = 0; i < 100; i++) await remote.ping(i);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await remote.ping(i);
    times.push(performance.now() - t);
  }
  await worker.terminate();
  return median(times);
}

async function workCallLatency(n: number, skip: number): Promise<number> {
  process.env.LIT_BENCH_CALLS = String(n);
  (globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;
  const url = pathToFileURL(join(here, "fixtures/calls-app.ts")).href;
  const mod = (await import(url)) as { default: import("lit-app").LightningApp };
  const { startApp } = await import("lit-app/internal");
  const running = await startApp(mod.default, { appModule: url, handleSignals: false, color: false, server: false });
  const stamps: number[] = [];
  running.engine.subscribe((ops) => {
    for (const op of ops) {
      if (op.path === "/components/root.echo/status" && (op.value as { stage?: string })?.stage === "pending") {
        stamps.push(performance.now());
      }
    }
  });
  const result = await running.done;
  if (result.exitCode !== 0) throw new Error(`calls app failed: ${result.message}`);
  const cycles = stamps.slice(1).map((t, i) => t - (stamps[i] as number)).slice(skip);
  return median(cycles);
}

/**
 * Runs a command, sampling its peak RSS and the CPU time of all its threads (user + system, ended
 * threads included) from /proc; returns wall ms, peak RSS bytes, CPU ms, exit code and what it
 * printed. CPU time is the figure to compare when other programs load the machine: wall time then
 * grows with their load, CPU time hardly.
 */
function measureProcess(cmd: string, args: string[], env: Record<string, string>): Promise<{ ms: number; peak: number; cpuMs: number; code: number; stdout: string }> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd: root, env: childEnv(env), stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    let peak = 0;
    let cpuMs = 0;
    const sample = () => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
        cpuMs = Math.max(cpuMs, cpuTicks(child.pid!) * 10);
      } catch {
        // the process has just ended
      }
    };
    const timer = setInterval(sample, 10);
    child.on("exit", (code) => {
      clearInterval(timer);
      resolve({ ms: performance.now() - start, peak, cpuMs, code: code ?? 1, stdout });
    });
  });
}

function medianRun(cmd: string, args: string[], runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { cwd: root, env: childEnv(), stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}`);
    times.push(performance.now() - t);
  }
  return median(times);
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

async function idleCpu(cmd: string, args: string[], readyText: string, settleSeconds: number, seconds: number): Promise<number> {
  const child = spawn(cmd, args, { cwd: root, env: childEnv(), stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(readyText)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`${cmd} exited ${code} before it was ready`)));
  });
  // V8 settles after start-up (GC, memory reducer) for some seconds: measure after that.
  await new Promise((r) => setTimeout(r, settleSeconds * 1000));
  const before = cpuTicks(child.pid!);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const used = cpuTicks(child.pid!) - before;
  child.kill("SIGTERM");
  await new Promise((r) => child.on("exit", r));
  return (used * 1000) / 100; // clock ticks (100/s) to ms
}

/** Runs the local-mode benchmarks and returns their rows. */
export async function benchLocalWorkers(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const run = options.tiny ? RUNS.tiny : RUNS.full;
  const rows: BenchRow[] = [];
  const raw = await rawComlinkRoundTrip(run.calls);
  const call = await workCallLatency(run.calls, run.skipCalls);
  rows.push({
    name: `non-parallel work call, flow → worker → succeeded seen (median of ${run.calls.toLocaleString("en")})`,
    value: call,
    unit: "ms",
    baselineName: "raw comlink round trip",
    baseline: raw,
    note: "target ≤ 5×",
  });

  const works = Number(process.env.LIT_BENCH_WORKS ?? run.works);
  // The program Bun's works' threads run, built (or found cached) before the runs, as a second start of the app finds it.
  const manyApp = join(here, "fixtures/many-app.ts");
  const built = spawnSync(BUN, ["run", "bench/fixtures/thread-program.ts", manyApp], { cwd: root, env: childEnv(), encoding: "utf8" });
  if (built.status !== 0) throw new Error(`building the works' thread program failed: ${built.stderr}`);
  const threadProgram = built.stdout.trim();
  const one = await measureProcess(BUN, ["run", "bench/fixtures/many-app.ts"], { LIT_BENCH_WORKS: "1" });
  const many = await measureProcess(BUN, ["run", "bench/fixtures/many-app.ts"], { LIT_BENCH_WORKS: String(works) });
  for (const [n, r] of [[1, one], [works, many]] as const) {
    if (r.code !== 0 || !r.stdout.includes(`${n} works finished`)) throw new Error(`${n} dynamic works: the app exited ${r.code} and printed ${JSON.stringify(r.stdout.slice(-300))}, not "${n} works finished"`);
    if (r.peak === 0) throw new Error(`${n} dynamic works: the app ended in ${r.ms.toFixed(0)} ms, before its memory was sampled`);
  }
  rows.push({ name: `${works} dynamic parallel works started and finished (Bun): wall`, value: many.ms, unit: "ms", baselineName: "same app with 1 work", baseline: one.ms, note: "target ≤ 10 s" });
  rows.push({ name: `${works} dynamic parallel works: peak RSS`, value: many.peak / 2 ** 20, unit: "MiB", baselineName: "same app with 1 work", baseline: one.peak / 2 ** 20, note: "target ≤ 2 GiB" });
  // The runtime's share: as many bare Bun workers, importing the same app module in embedded mode, or nothing.
  const bareEnv = (module: string) => ({ LIT_BENCH_WORKS: String(works), LIT_BENCH_BARE_MODULE: module });
  const bareApp = await measureProcess(BUN, ["run", "bench/fixtures/bare-workers.ts"], bareEnv(manyApp));
  const bareNothing = await measureProcess(BUN, ["run", "bench/fixtures/bare-workers.ts"], bareEnv(""));
  const bareBuilt = await measureProcess(BUN, ["run", "bench/fixtures/bare-workers.ts"], bareEnv(threadProgram));
  for (const [what, r] of [["importing the app module", bareApp], ["importing nothing", bareNothing], ["importing the works' thread program", bareBuilt]] as const) {
    if (r.code !== 0 || !r.stdout.includes(`${works} workers answered`)) throw new Error(`${works} bare Bun workers ${what}: exited ${r.code} and printed ${JSON.stringify(r.stdout.slice(-300))}, not "${works} workers answered"`);
    if (r.peak === 0) throw new Error(`${works} bare Bun workers ${what}: ended in ${r.ms.toFixed(0)} ms, before their memory was sampled`);
  }
  const bareAppName = `${works} bare Bun workers importing the app module`;
  rows.push({ name: `${works} dynamic parallel works (Bun): wall, framework beside runtime`, value: many.ms, unit: "ms", baselineName: bareAppName, baseline: bareApp.ms, note: "ratio: framework overhead" });
  rows.push({ name: `${works} dynamic parallel works (Bun): peak RSS, framework beside runtime`, value: many.peak / 2 ** 20, unit: "MiB", baselineName: bareAppName, baseline: bareApp.peak / 2 ** 20, note: "ratio: framework overhead" });
  rows.push({ name: `${works} dynamic parallel works (Bun): CPU time of all threads, framework beside runtime`, value: many.cpuMs, unit: "ms", baselineName: bareAppName, baseline: bareApp.cpuMs, note: "ratio: framework overhead, whatever else loads the machine" });
  rows.push({ name: `${bareAppName}: CPU time of all threads`, value: bareApp.cpuMs, unit: "ms", baselineName: `${works} bare Bun workers importing nothing`, baseline: bareNothing.cpuMs, note: "ratio: cost of loading the app module" });
  rows.push({ name: `${bareAppName}, posting one message each: wall`, value: bareApp.ms, unit: "ms", baselineName: `${works} bare Bun workers importing nothing`, baseline: bareNothing.ms, note: "ratio: cost of loading the app module" });
  rows.push({ name: `${bareAppName}, posting one message each: peak RSS`, value: bareApp.peak / 2 ** 20, unit: "MiB", baselineName: `${works} bare Bun workers importing nothing`, baseline: bareNothing.peak / 2 ** 20, note: "ratio: cost of loading the app module" });
  // What a work's thread loads before its init: the work program Bun's threads run (built), beside nothing.
  const bareBuiltName = `${works} bare Bun workers importing the works' thread program`;
  rows.push({ name: `${bareBuiltName}: wall`, value: bareBuilt.ms, unit: "ms", baselineName: `${works} bare Bun workers importing nothing`, baseline: bareNothing.ms, note: "ratio: cost of loading the work program" });
  rows.push({ name: `${bareBuiltName}: peak RSS`, value: bareBuilt.peak / 2 ** 20, unit: "MiB", baselineName: `${works} bare Bun workers importing nothing`, baseline: bareNothing.peak / 2 ** 20, note: "ratio: cost of loading the work program" });
  rows.push({ name: `${bareBuiltName}: CPU time of all threads`, value: bareBuilt.cpuMs, unit: "ms", baselineName: `${works} bare Bun workers importing nothing`, baseline: bareNothing.cpuMs, note: "ratio: cost of loading the work program" });
  rows.push({ name: `${works} dynamic parallel works (Bun): CPU time per work`, value: (many.cpuMs - one.cpuMs) / (works - 1), unit: "ms", baselineName: `bare Bun worker importing nothing, per worker`, baseline: bareNothing.cpuMs / works });
  rows.push({
    name: `${works} dynamic parallel works: RSS per work`,
    value: (many.peak - one.peak) / (works - 1) / 2 ** 20,
    unit: "MiB",
    baselineName: "bare Bun worker importing nothing, per worker",
    baseline: bareNothing.peak / works / 2 ** 20,
  });

  const toy = medianRun(BUN, ["run", "examples/workflow/app.ts"], run.coldRuns);
  const bare = medianRun(BUN, ["-e", ""], run.coldRuns);
  rows.push({ name: `toy app cold start to exit (Bun, median of ${run.coldRuns})`, value: toy, unit: "ms", baselineName: "bun -e ''", baseline: bare, note: `${(toy - bare).toFixed(0)} ms above; target ≤ 300 ms` });

  const idle = await idleCpu("node", [LIT, "run", "bench/fixtures/idle-app.ts"], "ready", run.idleSettleS, run.idleS);
  const idleNode = await idleCpu("node", ["-e", "console.log('ready'); setInterval(() => {}, 1 << 30)"], "ready", run.idleSettleS, run.idleS);
  rows.push({ name: `CPU used by an idle running app over ${run.idleS} s, ${run.idleSettleS} s after start (lit run, Node, app server on)`, value: idle, unit: "ms", baselineName: "idle node process", baseline: idleNode, note: "target ~0" });
  return rows;
}

