/**
 * Works in their own OS process beside worker threads, on Bun, Node and
 * Deno: a non-parallel call (flow → work → succeeded seen) beside the raw
 * IPC round trip it rides on (a bare child echoing JSON lines over fd 3) and
 * beside the same call to a thread; and the time from the flow's first pass
 * to the first (and the last) `started` event of 1, 10 and 100 works,
 * processes beside threads. Every app runs as a user runs it (`bun run`,
 * `lit run`, `deno run -A`), with LIT_ISOLATION choosing, and the server off.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { childEnv, FULL, median, type BenchOptions, type BenchRow } from "./harness.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const BIN = join(root, "node_modules", ".bin");
const LIT = join(root, "packages/lit-app/bin/lit.mjs");

type Runtime = "bun" | "node" | "deno";
const RUNTIMES: readonly Runtime[] = ["bun", "node", "deno"];

/** Calls per figure, works per start figure, runs per start figure, and how long each work stays running. */
const SIZES = {
  full: { calls: 1000, skipCalls: 50, works: [1, 10, 100], startRuns: 3, holdMs: 500 },
  tiny: { calls: 20, skipCalls: 2, works: [2], startRuns: 1, holdMs: 50 },
} as const;

/** The command that runs `file` on `runtime` as a user would (an app), or a plain script. */
function command(runtime: Runtime, file: string, app: boolean): [string, string[]] {
  if (runtime === "bun") return [join(BIN, "bun"), ["run", file]];
  if (runtime === "deno") return [join(BIN, "deno"), ["run", "-A", file]];
  return app ? [process.execPath, [LIT, "run", file]] : [process.execPath, [file]];
}

/** Runs `file` and returns the numbers after each `key` it printed on a `bench` line. */
function runFor(runtime: Runtime, file: string, app: boolean, env: Record<string, string>, keys: string[]): Promise<number[]> {
  const [cmd, args] = command(runtime, file, app);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: childEnv({ LIT_NO_SERVER: "1", NO_COLOR: "1", ...env }), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const values = keys.map((key) => Number(new RegExp(`bench .*\\b${key} (\\S+)`).exec(out)?.[1]));
      if (code !== 0 || values.some((v) => !Number.isFinite(v))) {
        reject(new Error(`${cmd} ${args.join(" ")} (${JSON.stringify(env)}) exited ${code} without ${keys.join(", ")}; it printed ${JSON.stringify(out.slice(-600))}`));
      } else resolve(values);
    });
  });
}

/** Runs the isolation benchmarks and returns their rows. */
export async function benchIsolation(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const size = options.tiny ? SIZES.tiny : SIZES.full;
  const rows: BenchRow[] = [];
  const calls = { LIT_BENCH_CALLS: String(size.calls), LIT_BENCH_SKIP: String(size.skipCalls) };
  for (const runtime of RUNTIMES) {
    const [ipc] = await runFor(runtime, "bench/fixtures/ipc-parent.mjs", false, calls, ["ipc-median-ms"]);
    const [thread] = await runFor(runtime, "bench/fixtures/calls-timed-app.ts", true, { ...calls, LIT_ISOLATION: "thread" }, ["cycle-median-ms"]);
    const [proc] = await runFor(runtime, "bench/fixtures/calls-timed-app.ts", true, { ...calls, LIT_ISOLATION: "process" }, ["cycle-median-ms"]);
    const n = `median of ${(size.calls - size.skipCalls - 1).toLocaleString("en")}`;
    rows.push({ name: `${runtime}: non-parallel call to a work process, flow → succeeded seen (${n})`, value: proc!, unit: "ms", baselineName: "raw IPC round trip (fd 3, JSON lines)", baseline: ipc! });
    rows.push({ name: `${runtime}: the same call to a work process`, value: proc!, unit: "ms", baselineName: "the same call to a worker thread", baseline: thread! });
  }
  for (const runtime of RUNTIMES) {
    for (const works of size.works) {
      const env = { LIT_BENCH_WORKS: String(works), LIT_BENCH_HOLD_MS: String(size.holdMs) };
      const keys = ["first-started-ms", "all-started-ms"];
      const samples: Record<"thread" | "process", number[][]> = { thread: [], process: [] };
      for (let run = 0; run < size.startRuns; run++) {
        for (const isolation of ["thread", "process"] as const) samples[isolation].push(await runFor(runtime, "bench/fixtures/started-app.ts", true, { ...env, LIT_ISOLATION: isolation }, keys));
      }
      const med = (isolation: "thread" | "process", k: number) => median(samples[isolation].map((s) => s[k]!));
      const of = size.startRuns > 1 ? `, median of ${size.startRuns} runs` : "";
      rows.push({ name: `${runtime}: ${works} parallel work process(es), flow's first pass → first started seen${of}`, value: med("process", 0), unit: "ms", baselineName: "the same with threads", baseline: med("thread", 0) });
      rows.push({ name: `${runtime}: ${works} parallel work process(es), flow's first pass → all started seen${of}`, value: med("process", 1), unit: "ms", baselineName: "the same with threads", baseline: med("thread", 1) });
    }
  }
  return rows;
}
