/**
 * Runs the `lit` command on the test hosts' laptop (its own network
 * namespace, its own ~/.ssh), as a user would: `lit run app.ts --host …` on
 * Node (bin/lit.mjs), on Bun or on Deno (`deno run -A` of the CLI's main.ts), and records each output
 * line with the time it arrived.
 */
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { TestHosts } from "@lit-app/test-hosts";
import { REPO, type Line } from "./app-process.ts";

/** The runtimes the CLI runs on in the remote tests. */
export type CliRuntime = "node" | "bun" | "deno";

/** A `lit` command running on the laptop. */
export interface LaptopRun {
  child: ChildProcess;
  lines: Line[];
  /** When it was spawned (performance.now()); each line's `at` counts from here. */
  startedAt: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** stdout lines, in order. */
  out(): string[];
  /** Every line, as text (for messages). */
  text(): string;
  /** Resolves when a line matching `pattern` arrived. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<Line>;
}

/** Spawns `lit <args>` on the laptop on `runtime`. */
export function litOnLaptop(th: TestHosts, runtime: CliRuntime, args: string[], env: Record<string, string> = {}): LaptopRun {
  const main = join(REPO, "packages/lit-app/src/cli/main.ts");
  const [file, argv] =
    runtime === "node"
      ? [process.execPath, [join(REPO, "packages/lit-app/bin/lit.mjs"), ...args]]
      : runtime === "bun"
        ? [join(REPO, "node_modules/.bin/bun"), [main, ...args]]
        : [join(REPO, "node_modules/.bin/deno"), ["run", "-A", main, ...args]];
  const started = performance.now();
  const child = th.laptop.spawn(file, argv, { cwd: REPO, env: { NO_COLOR: "1", LIT_NO_SERVER: "1", ...env } });
  const lines: Line[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (l: Line) => void }>();
  for (const stream of ["stdout", "stderr"] as const) {
    createInterface({ input: child[stream]! }).on("line", (text) => {
      const line = { stream, text, at: performance.now() - started };
      lines.push(line);
      for (const w of waiters) if (w.pattern.test(text)) (waiters.delete(w), w.resolve(line));
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once("exit", (code, signal) => setTimeout(() => resolve({ code, signal, at: performance.now() - started }), 50)),
  );
  const text = () => lines.map((l) => `${l.stream === "stderr" ? "! " : "  "}${l.text}`).join("\n");
  return {
    child,
    lines,
    startedAt: started,
    exited,
    out: () => lines.filter((l) => l.stream === "stdout").map((l) => l.text),
    text,
    waitFor(pattern, timeoutMs = 60_000) {
      const seen = lines.find((l) => pattern.test(l.text));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { pattern, resolve };
        waiters.add(w);
        const fail = (why: string) => {
          if (!waiters.delete(w)) return;
          reject(new Error(`no line matching ${pattern} ${why}:\n${text()}`));
        };
        setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs).unref();
        void exited.then((e) => fail(`before lit ended (exit ${e.code})`));
      });
    },
  };
}

/** How a run ended, or a failure with every line it printed when it did not end within `ms`. */
export function ended(run: LaptopRun, ms = 90_000, command = "run"): LaptopRun["exited"] {
  return Promise.race([
    run.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`lit ${command} did not end within ${ms} ms:\n${run.text()}`)), ms).unref()),
  ]);
}

/** Runs `lit <args>` on the laptop (on `runtime`) to its end: how it ended, its stdout and stderr lines, and every line. */
export async function litToEnd(th: TestHosts, runtime: CliRuntime, args: string[], ms = 120_000) {
  const run = litOnLaptop(th, runtime, args);
  const exit = await ended(run, ms, args[0]);
  return { ...exit, out: run.out(), err: run.lines.filter((l) => l.stream === "stderr").map((l) => l.text), text: run.text() };
}

/** Waits until `check` holds, looking every 250 ms, for `ms`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The `tick <i>` lines the ticker fixture's work printed, as the flow saw them. */
export const ticks = (run: LaptopRun): number[] =>
  run.out().filter((l) => /^root\.ticker \| tick \d+$/.test(l)).map((l) => Number(l.split(" ").pop()));

/** 1, 2, …, n. */
export const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** The file of the remote test app `name` (test/fixtures/remote/<name>/app.ts). */
export const remoteApp = (name: string): string => fileURLToPath(new URL(`../../test/fixtures/remote/${name}/app.ts`, import.meta.url));
