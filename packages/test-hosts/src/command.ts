/**
 * Running one program to its end and collecting its output: the harness's
 * own system commands (ip, useradd, sshd) and the exec helpers of hosts and
 * the laptop all go through here.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { SetupCommandError, TestHostsTimeoutError } from "./errors.ts";

/** What a finished command did. */
export interface ExecResult {
  /** The exit code, or null when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it, or null. */
  readonly signal: NodeJS.Signals | null;
  /** Its standard output, as UTF-8. */
  readonly stdout: string;
  /** Its standard error, as UTF-8. */
  readonly stderr: string;
}

/** Options of a command run to its end. */
export interface RunOptions {
  /** Bytes written to its standard input, which is then closed. Default: nothing (stdin closed). */
  readonly input?: string | Uint8Array;
  /** Killed with SIGKILL and rejected with a timeout error after this long. Default 60 000 ms. */
  readonly timeoutMs?: number;
  /** Its working directory. */
  readonly cwd?: string;
  /** Its whole environment (not merged here). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Collects a spawned child's output until it exits. */
export function collect(child: ChildProcess, where: string, what: string, options: RunOptions = {}): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new TestHostsTimeoutError(where, what, timeoutMs));
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
    if (child.stdin) {
      child.stdin.on("error", () => {}); // a command that exits without reading its input is not an error here
      child.stdin.end(options.input ?? "");
    }
  });
}

/** Runs `file args` to its end; never rejects on a non-zero exit. */
export function run(file: string, args: readonly string[], where: string, options: RunOptions = {}): Promise<ExecResult> {
  const spawnOptions: SpawnOptions = { stdio: ["pipe", "pipe", "pipe"], cwd: options.cwd, env: options.env ?? process.env };
  const child = spawn(file, [...args], spawnOptions);
  const result = collect(child, where, `\`${[file, ...args].join(" ")}\``, options);
  if (process.env.LIT_TEST_HOSTS_DEBUG) {
    const started = performance.now();
    void result.then(
      (r) => process.stderr.write(`[test-hosts] at ${started.toFixed(0)} +${(performance.now() - started).toFixed(0)} ms, exit ${r.code}: ${[file, ...args].join(" ")}\n`),
      () => {},
    );
  }
  return result;
}

/** Runs `file args` and resolves with its stdout; rejects with a {@link SetupCommandError} on a non-zero exit. */
export async function runOk(file: string, args: readonly string[], where: string, options: RunOptions = {}): Promise<string> {
  const result = await run(file, args, where, options);
  if (result.code !== 0) throw new SetupCommandError(where, [file, ...args], result.code, result.stderr || result.stdout);
  return result.stdout;
}
