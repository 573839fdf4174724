/**
 * Starts a command in its own process group and reads its output a line at a
 * time; keeps the last lines of each stream for the error of a failed run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { CommandNotFoundError, CommandStartError } from "../errors.ts";

/** How many trailing lines of output a failure reports. */
export const TAIL_LINES = 20;
const MAX_TAIL_LINE = 1000;
/** How long to keep reading output after the command exited (a background child may hold the pipe open). */
const DRAIN_MS = 1000;

/** What to run, resolved. */
export interface CommandLine {
  /** Who runs it, for errors: the work's dotted name. */
  where: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Absolute directory. */
  cwd: string;
}

/** How a command ended. */
export interface CommandExit {
  exitCode: number | null;
  signal: string | null;
  stderrTail: string[];
  stdoutTail: string[];
}

/** A started command. */
export interface StartedCommand {
  /** Its process id, which is also its process group id. */
  pid: number;
  /** Resolves when it has exited and its output has been read. */
  done: Promise<CommandExit>;
}

/** The command line as a user would type it, for messages. */
export function displayCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

function readLines(stream: Readable, onLine: (line: string) => void, tail: string[]): Promise<void> {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  rl.on("line", (line) => {
    onLine(line);
    tail.push(line.length > MAX_TAIL_LINE ? `${line.slice(0, MAX_TAIL_LINE)}...` : line);
    if (tail.length > TAIL_LINES) tail.shift();
  });
  return new Promise((done) => rl.once("close", done));
}

async function checkCwd(line: CommandLine): Promise<void> {
  const info = await stat(line.cwd).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new CommandStartError(
      line.command,
      line.cwd,
      `${line.where}: cannot run ${JSON.stringify(line.command)}: its working directory ${line.cwd} ` +
        `${info ? "is not a directory" : "does not exist"}. Create it first or fix the "cwd" option.`,
    );
  }
}

function startError(line: CommandLine, error: NodeJS.ErrnoException): Error {
  const { command, cwd, where } = line;
  if (error.code === "ENOENT") {
    const lookup = command.includes("/")
      ? `there is no such file (relative paths start from the working directory ${cwd})`
      : `it is not on the PATH (${line.env.PATH ?? process.env.PATH ?? ""})`;
    return new CommandNotFoundError(
      command,
      cwd,
      `${where}: command ${JSON.stringify(command)} was not found: ${lookup}. ` +
        `Install it, or give its full path in the "command" option (cwd: ${cwd}).`,
      error,
    );
  }
  const why = error.code === "EACCES" ? "it is not executable (permission denied); make it executable (chmod +x) or run it through its interpreter" : (error.message ?? String(error));
  return new CommandStartError(command, cwd, `${where}: command ${JSON.stringify(command)} could not be started in ${cwd}: ${why}.`, error);
}

/** Waits until the command's process exists (or fails to). */
function spawned(child: ChildProcess, line: CommandLine): Promise<number> {
  return new Promise((ok, fail) => {
    const onError = (error: Error) => fail(startError(line, error as NodeJS.ErrnoException));
    child.once("error", onError);
    child.once("spawn", () => {
      child.off("error", onError);
      if (child.pid === undefined) fail(startError(line, new Error("it has no process id")));
      else ok(child.pid);
    });
  });
}

/**
 * Starts `line` in its own process group, its stdin closed, calling
 * `onStdout`/`onStderr` for each line it writes. Rejects with a
 * {@link CommandNotFoundError} or {@link CommandStartError} when it cannot start.
 */
export async function startCommand(
  line: CommandLine,
  onStdout: (text: string) => void,
  onStderr: (text: string) => void,
): Promise<StartedCommand> {
  await checkCwd(line);
  let child: ChildProcess;
  try {
    child = spawn(line.command, line.args, {
      cwd: line.cwd,
      env: { ...process.env, PYTHONUNBUFFERED: "1", ...line.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    throw startError(line, error as NodeJS.ErrnoException);
  }
  const exited = new Promise<{ code: number | null; signal: string | null }>((ok) =>
    child.once("exit", (code, signal) => ok({ code, signal })),
  );
  const pid = await spawned(child, line);
  const stdoutTail: string[] = [];
  const stderrTail: string[] = [];
  const read = Promise.all([readLines(child.stdout!, onStdout, stdoutTail), readLines(child.stderr!, onStderr, stderrTail)]);
  const done = exited.then(async ({ code, signal }) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([read, new Promise((ok) => (timer = setTimeout(ok, DRAIN_MS)))]).finally(() => clearTimeout(timer));
    child.stdout?.destroy();
    child.stderr?.destroy();
    return { exitCode: code, signal, stderrTail, stdoutTail };
  });
  return { pid, done };
}

/** Resolves a `cwd` option against the app's working directory. */
export function resolveCwd(cwd: string | null): string {
  return cwd === null ? process.cwd() : resolve(process.cwd(), cwd);
}
