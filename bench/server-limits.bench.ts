/**
 * The time for an app to refuse a patch over its limits, beside a small valid
 * patch's round trip to the same app in the same run:
 * - 40 `copy` ops, each copying a 10,000-item array into itself (it would
 *   double the state 40 times);
 * - twice the operations one patch may carry by default (each one small).
 * The app is a real `lit run` on Node, in a child process with a 512 MB heap,
 * so that an app without limits fails the benchmark (no answer within 10 s,
 * or the app ends) instead of taking the machine's memory. Each refusal must
 * be 413 or 400, and the state afterwards must hold none of the refused ops.
 *
 * Registered in suites.ts (`npm run bench -- server-limits`); also runs alone:
 * node --import tsx bench/server-limits.bench.ts
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DEFAULT_LIMITS } from "@lit-app/core/internal";
import { childEnv, FULL, median, printTable, type BenchOptions, type BenchRow } from "./harness.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const LIT = join(root, "packages/lit-app/bin/lit.mjs");
const ITEMS = 10_000;
/** Twice the operations one patch may carry by default (about 70 bytes an op: far under the 1 MiB body limit). */
const MANY_OPS = 2 * DEFAULT_LIMITS.maxPatchOps;
const ANSWER_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 60_000;

/** Samples of each figure and valid patches before timing, full and tiny. */
const RUNS = {
  full: { samples: 30, warmup: 20 },
  tiny: { samples: 3, warmup: 3 },
} as const;

const ITEMS_PATH = "/components/root/vars/items";
const NOTE_PATH = "/components/root/vars/note";

/** A `lit run` of fixtures/limits-app.ts on Node. */
interface App {
  url: string;
  child: ChildProcess;
  /** Settles when the process has ended, with how. */
  ended: Promise<string>;
  /** The last lines the app printed, for error messages. */
  output(): string;
}

async function startApp(home: string): Promise<App> {
  const child = spawn(process.execPath, ["--max-old-space-size=512", LIT, "run", "bench/fixtures/limits-app.ts", "--port", "0"], {
    cwd: root,
    env: childEnv({ LIT_HOME: home, LIT_BENCH_ITEMS: String(ITEMS), NO_COLOR: "1" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let printed = "";
  // The last lines, without the native stack V8 prints on running out of memory.
  const output = () =>
    printed
      .split("\n")
      .filter((line) => !/^\s*\d+: 0x[0-9a-f]+ /.test(line))
      .slice(-15)
      .join("\n");
  const ended = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `exit code ${code}`)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lit run bench/fixtures/limits-app.ts printed no URL within ${START_TIMEOUT_MS / 1000} s:\n${output()}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      printed += chunk.toString();
      const m = /the app's UI: (http:\/\/\S+)/.exec(printed);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void ended.then((how) => {
      clearTimeout(timer);
      reject(new Error(`lit run bench/fixtures/limits-app.ts ended (${how}) before it served:\n${output()}`));
    });
  });
  // The server listens before the app's first pass; patches are taken once it runs.
  const deadline = Date.now() + START_TIMEOUT_MS;
  while ((await (await fetch(`${url}/api/v1/status`)).json() as { stage?: string }).stage !== "running") {
    if (Date.now() > deadline) throw new Error(`lit run bench/fixtures/limits-app.ts did not reach "running" within ${START_TIMEOUT_MS / 1000} s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { url, child, ended, output };
}

async function stopApp(app: App): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill("SIGTERM");
  const killer = setTimeout(() => app.child.kill("SIGKILL"), 5000);
  await app.ended;
  clearTimeout(killer);
}

interface Answer {
  status: number;
  text: string;
  ms: number;
}

/** One request over a keep-alive connection; rejects when the app does not answer in time or ends. */
function send(app: App, agent: Agent, method: "GET" | "POST", path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let settled = false;
    const headers = body === undefined ? {} : { "content-type": "application/json" };
    const req = request(app.url + path, { method, agent, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - t0 });
      });
    });
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(new Error(`${method} ${path} (${body?.length ?? 0} bytes): ${why}. The app's last lines:\n${app.output()}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${ANSWER_TIMEOUT_MS / 1000} s`), ANSWER_TIMEOUT_MS);
    void app.ended.then((how) => fail(`the app ended (${how}) before it answered`));
    // A connection that breaks because the app died: say so.
    req.on("error", (error) => {
      const died = app.ended.then((how) => `the app ended (${how}) before it answered`);
      void Promise.race([died, new Promise<string>((r) => setTimeout(() => r(error.message), 1000))]).then(fail);
    });
    req.end(body);
  });
}

/** The `error.code` of an error answer, or "" when it has none. */
function errorCode(text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? code : "";
  } catch {
    return "";
  }
}

/** POSTs a patch that must be refused with 413 or 400; returns the round trip in ms. */
async function refused(app: App, agent: Agent, what: string, body: string): Promise<Answer> {
  const answer = await send(app, agent, "POST", "/api/v1/delta", body);
  if (answer.status !== 413 && answer.status !== 400) {
    const applied = answer.status >= 200 && answer.status < 300 ? " (it was applied: the app has no limit that refuses it)" : "";
    throw new Error(`POST /api/v1/delta with ${what} answered ${answer.status}${applied}, not 413 or 400: ${answer.text.slice(0, 300)}`);
  }
  return answer;
}

async function accepted(app: App, agent: Agent, value: string): Promise<number> {
  const answer = await send(app, agent, "POST", "/api/v1/delta", JSON.stringify({ patch: [{ op: "replace", path: NOTE_PATH, value }] }));
  if (answer.status !== 200) throw new Error(`a valid one-op patch answered ${answer.status}, not 200: ${answer.text.slice(0, 300)}`);
  return answer.ms;
}

/** The refusal figures, each beside a valid patch's round trip timed in turns with it. */
export async function benchServerLimits(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const run = options.tiny ? RUNS.tiny : RUNS.full;
  const home = mkdtempSync(join(tmpdir(), "lit-bench-limits-"));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let app: App | undefined;
  try {
    app = await startApp(home);
    const copyBomb = JSON.stringify({ patch: Array.from({ length: 40 }, () => ({ op: "copy", from: ITEMS_PATH, path: `${ITEMS_PATH}/-` })) });
    const manyOps = JSON.stringify({ patch: Array.from({ length: MANY_OPS }, (_, i) => ({ op: "replace", path: NOTE_PATH, value: `m${i}` })) });
    let last = "";
    for (let i = 0; i < run.warmup; i++) await accepted(app, agent, (last = `w${i}`));

    const valid: number[] = [];
    const bomb: number[] = [];
    const many: number[] = [];
    const statuses = new Set<string>();
    for (let i = 0; i < run.samples; i++) {
      valid.push(await accepted(app, agent, (last = `v${i}`)));
      const b = await refused(app, agent, "40 copy ops of a 10,000-item array into itself", copyBomb);
      bomb.push(b.ms);
      valid.push(await accepted(app, agent, (last = `u${i}`)));
      const m = await refused(app, agent, `${MANY_OPS.toLocaleString("en")} ops`, manyOps);
      many.push(m.ms);
      statuses.add(`copies ${b.status} ${errorCode(b.text)}, ops ${m.status} ${errorCode(m.text)}`);
    }

    // Nothing of the refused patches is in the state, and the app still answers.
    const state = await send(app, agent, "GET", "/api/v1/state");
    const vars = (JSON.parse(state.text) as { components: Record<string, { vars: { items: unknown[]; note: string } }> }).components.root!.vars;
    if (vars.items.length !== ITEMS || vars.note !== last) {
      throw new Error(`after the refused patches the state has ${vars.items.length} items (not ${ITEMS}) and note "${vars.note.slice(0, 40)}" (not "${last}"): a refused patch was applied in part`);
    }

    const base = median(valid);
    const note = `answered ${[...statuses].join("; ")}; nothing applied`;
    return [
      {
        name: `refuse 40 copy ops, each of a ${ITEMS.toLocaleString("en")}-item array into itself (${(copyBomb.length / 1024).toFixed(1)} KiB): round trip (median of ${run.samples})`,
        value: median(bomb),
        unit: "ms",
        baselineName: "a valid one-op patch's round trip",
        baseline: base,
        note,
      },
      {
        name: `refuse a patch of ${MANY_OPS.toLocaleString("en")} ops (${(manyOps.length / 1024).toFixed(0)} KiB): round trip (median of ${run.samples})`,
        value: median(many),
        unit: "ms",
        baselineName: "a valid one-op patch's round trip",
        baseline: base,
        note,
      },
    ];
  } finally {
    agent.destroy();
    if (app) await stopApp(app);
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("app server: patches over the limits (lit run, Node)", await benchServerLimits());
}
