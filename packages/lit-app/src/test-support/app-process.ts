/**
 * Runs an app file as a user would, in a child process, on Bun (`bun run app.ts`), Node
 * (`lit run app.ts`) or Deno (`deno run -A app.ts`), and records each output line with the
 * time it arrived.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The runtimes every app runs on. */
export type Runtime = "bun" | "node" | "deno";
export const RUNTIMES: readonly Runtime[] = ["bun", "node", "deno"];

/** The repository's root directory. */
export const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const BIN = join(REPO, "node_modules", ".bin");
const LIT = join(REPO, "packages", "lit-app", "bin", "lit.mjs");

/** A fixture app under packages/lit-app/test/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));
}

/** An example app under examples/. */
export function example(name: string): string {
  return join(REPO, "examples", name, "app.ts");
}

/** One line an app printed. */
export interface Line {
  stream: "stdout" | "stderr";
  text: string;
  /** When it arrived, ms since the app was started. */
  at: number;
}

/** How an app process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ms since the app was started. */
  at: number;
}

/** Options of {@link startApp}. */
export interface StartOptions {
  /** Extra arguments of `lit run` (Node only), e.g. `--heap-mb 64`. */
  litArgs?: string[];
  /** Extra arguments of the runtime before the file (Bun, Deno), e.g. `--v8-flags=...`. */
  runtimeArgs?: string[];
  env?: Record<string, string>;
  /** The working directory; default the repository's root. */
  cwd?: string;
}

/** The command line that runs `file` on `runtime`. */
export function commandFor(runtime: Runtime, file: string, options: StartOptions = {}): [string, string[]] {
  switch (runtime) {
    case "bun":
      return [join(BIN, "bun"), ["run", ...(options.runtimeArgs ?? []), file]];
    case "deno":
      return [join(BIN, "deno"), ["run", "-A", ...(options.runtimeArgs ?? []), file]];
    case "node":
      return [process.execPath, [LIT, "run", ...(options.litArgs ?? []), file]];
  }
}

/** The environment of an app under test: this one, without vitest's markers (they stop apps from starting themselves). */
export function appEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("VITEST")) env[key] = value;
  return { ...env, NO_COLOR: "1", ...extra };
}

/** An app running in a child process. */
export class AppProcess {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  readonly exited: Promise<Exit>;
  private readonly started = performance.now();
  private waiters: { test: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string = REPO) {
    this.child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const closed = [this.read("stdout"), this.read("stderr")];
    this.exited = new Promise<Exit>((resolve) => {
      this.child.on("exit", (code, signal) => {
        const at = this.elapsed();
        // Output still in the pipes is read before the exit counts.
        void Promise.all(closed).then(() => resolve({ code, signal, at }));
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Everything printed on `stream`, one line per line. */
  output(stream: "stdout" | "stderr" = "stdout"): string {
    return this.lines
      .filter((l) => l.stream === stream)
      .map((l) => l.text)
      .join("\n");
  }

  /** The lines printed by the work `name` (`root.workA | ...`), without the prefix. */
  linesOf(name: string): Line[] {
    const prefix = `${name} | `;
    return this.lines.filter((l) => l.text.startsWith(prefix)).map((l) => ({ ...l, text: l.text.slice(prefix.length) }));
  }

  /** Index of the first line matching `pattern`, or -1. */
  indexOf(pattern: RegExp | string): number {
    return this.lines.findIndex((l) => matches(l, pattern));
  }

  /** Resolves with the first line matching `pattern` (already printed or to come); rejects after `timeoutMs`. */
  waitFor(pattern: RegExp | string, timeoutMs = 20_000): Promise<Line> {
    const seen = this.lines.find((l) => matches(l, pattern));
    if (seen) return Promise.resolve(seen);
    return new Promise<Line>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no line matching ${String(pattern)} within ${timeoutMs} ms. Output so far:\n${this.transcript()}`));
      }, timeoutMs);
      this.waiters.push({
        test: (l) => matches(l, pattern),
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  /** Resolves when the app has exited; kills it and rejects after `timeoutMs`. */
  async done(timeoutMs = 30_000): Promise<Exit> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`the app did not exit within ${timeoutMs} ms. Output:\n${this.transcript()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the app and every process it started (a cleanup for failed tests). */
  kill(): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    for (const pid of descendants(this.pid)) killQuietly(pid);
    killQuietly(this.pid);
  }

  /** All output, for failure messages. */
  transcript(): string {
    return this.lines.map((l) => `${l.stream === "stderr" ? "! " : "  "}${l.text}`).join("\n");
  }

  private elapsed(): number {
    return performance.now() - this.started;
  }

  private read(stream: "stdout" | "stderr"): Promise<void> {
    const lines = createInterface({ input: this.child[stream]! });
    lines.on("line", (text) => {
      const line: Line = { stream, text, at: this.elapsed() };
      this.lines.push(line);
      const ready = this.waiters.filter((w) => w.test(line));
      this.waiters = this.waiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve(line);
    });
    return new Promise((resolve) => lines.on("close", resolve));
  }
}

function matches(line: Line, pattern: RegExp | string): boolean {
  return typeof pattern === "string" ? line.text.includes(pattern) : pattern.test(line.text);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Starts `file` on `runtime`. */
export function startApp(runtime: Runtime, file: string, options: StartOptions = {}): AppProcess {
  const [command, args] = commandFor(runtime, file, options);
  return new AppProcess(command, args, appEnv(options.env), options.cwd);
}

/** Runs `file` on `runtime` to its end. */
export async function runApp(
  runtime: Runtime,
  file: string,
  options: StartOptions & { timeoutMs?: number } = {},
): Promise<{ app: AppProcess; exit: Exit }> {
  const app = startApp(runtime, file, options);
  const exit = await app.done(options.timeoutMs);
  return { app, exit };
}

/** A process's state letter and parent, from /proc; undefined once it is gone. */
export function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** True while `pid` is a live process (not gone, not a zombie waiting to be reaped). */
export function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== "Z" && stat.state !== "X";
}

/** Every process below `pid` (children, their children, ...), from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** The number of threads of `pid`, from /proc. */
export function threadCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}
