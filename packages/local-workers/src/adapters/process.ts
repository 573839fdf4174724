/**
 * A work in its own OS process (`isolation: "process"`), on Bun, Node and
 * Deno: the same runtime as the flow runs the work's program (on Node the
 * bundle a thread runs, on Bun and Deno worker/entry.ts). The work protocol
 * runs over fd 3, a pipe (worker/process-channel.ts); the child's stdout and
 * stderr are the work's log lines. The child leads its own process group, so
 * ending it ends whatever it started. A memory limit is applied as V8's heap
 * limit (Node, Deno) and by watching the child's resident memory (every
 * runtime, Linux); a child that exceeds it is reported as out of memory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runtimeKind } from "@lit-app/runtime";
import type { WorkChannel } from "../channel.ts";
import { streamChannel } from "../stream-channel.ts";
import { CHANNEL_FD_ENV } from "../worker/process-channel.ts";
import { useWorkerBundle } from "./node-bundle.ts";
import { holdForOwner } from "./worker-files.ts";
import type { SpawnOptions, WorkerExit } from "./worker-handle.ts";

const ENTRY = fileURLToPath(new URL("../worker/entry.ts", import.meta.url));
/** How much of the child's stderr is kept to tell why it ended. */
const STDERR_TAIL = 16_384;
const OOM_TEXT = /out of memory|Reached heap limit|Allocation failed/i;

/** Options for starting a work's process. */
export interface ProcessSpawnOptions extends SpawnOptions {
  /** The most memory the process may use, MiB: the work's `CloudCompute({ memoryMiB })`. */
  memoryMiB?: number;
  /** Called with each line the child prints on stdout or stderr. */
  onLine(stream: "stdout" | "stderr", line: string): void;
}

/** How a work's process ended. */
export interface ProcessExit extends WorkerExit {
  /** Set when it ran out of memory (its heap limit, its memory limit, or V8's fatal error). */
  reason?: "out of memory";
}

/** A started work process. */
export interface WorkProcess {
  readonly pid: number;
  /** The work protocol's channel to the child. */
  readonly channel: WorkChannel;
  /** Calls `listener` once when the process has ended and its output has been read. */
  onExit(listener: (exit: ProcessExit) => void): void;
  /** Ends the process and its process group; resolves once it has ended. */
  terminate(): Promise<void>;
}

async function command(options: ProcessSpawnOptions): Promise<{ args: string[]; release?: () => void }> {
  const limit = options.memoryMiB ?? options.heapLimitMb;
  const runtime = runtimeKind();
  if (runtime === "node") {
    const bundle = await useWorkerBundle(options.appModule);
    return { args: [...(limit ? [`--max-old-space-size=${limit}`] : []), fileURLToPath(bundle.url)], release: bundle.release };
  }
  if (runtime === "deno") return { args: ["run", "-A", ...(limit ? [`--v8-flags=--max-old-space-size=${limit}`] : []), ENTRY] };
  // Bun has no heap limit: --smol collects more often, and the memory watch below enforces the limit.
  return { args: ["run", ...(limit ? ["--smol"] : []), ENTRY] };
}

/** Resident memory of `pid` in bytes (Linux); undefined where it cannot be read. */
function residentBytes(pid: number): number | undefined {
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]);
    return Number.isFinite(pages) ? pages * 4096 : undefined;
  } catch {
    return undefined;
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

function readLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    let buffer = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        onLine(buffer.slice(0, nl).replace(/\r$/, ""));
        buffer = buffer.slice(nl + 1);
      }
    });
    const done = () => {
      if (buffer) onLine(buffer);
      buffer = "";
      resolve();
    };
    stream.on("end", done);
    stream.on("close", done);
    stream.on("error", done);
  });
}

/** Starts the work program for `options.appModule` in a child process of this runtime. */
export async function spawnWorkProcess(options: ProcessSpawnOptions): Promise<WorkProcess> {
  const { args, release } = await command(options);
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, {
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env: { ...process.env, [CHANNEL_FD_ENV]: "3" },
      detached: true,
    });
  } catch (error) {
    release?.();
    throw error;
  }
  if (release) {
    if (options.owner) holdForOwner(options.owner, release);
    else child.once("close", release);
  }
  const pipe = child.stdio[3] as unknown as NodeJS.ReadWriteStream;
  pipe.on("error", () => undefined);
  const channel = streamChannel(pipe as AsyncIterable<Uint8Array>, (text) => void pipe.write(text));
  let stderrTail = "";
  const output = Promise.all([
    readLines(child.stdout, (line) => options.onLine("stdout", line)),
    readLines(child.stderr, (line) => {
      stderrTail = (stderrTail + line + "\n").slice(-STDERR_TAIL);
      options.onLine("stderr", line);
    }),
  ]);
  const limit = options.memoryMiB;
  let overLimit: number | undefined;
  const watch =
    limit && child.pid !== undefined
      ? setInterval(() => {
          const rss = residentBytes(child.pid!);
          if (rss !== undefined && rss > limit * 2 ** 20) {
            overLimit = rss;
            killGroup(child);
          }
        }, 50)
      : undefined;
  (watch as { unref?: () => void } | undefined)?.unref?.();
  let terminating = false;
  const exited = new Promise<ProcessExit>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      clearInterval(watch);
      // All its output first (an out-of-memory message is its last words), but not forever: a grandchild may hold the pipes.
      void Promise.race([output, new Promise((r) => setTimeout(r, 1000))]).then(() => {
        channel.close();
        resolve(describeExit(code, signal, stderrTail, overLimit, limit ?? options.heapLimitMb, terminating));
      });
    };
    child.once("exit", done);
    child.once("error", () => done(null, null));
  });
  return {
    pid: child.pid ?? -1,
    channel,
    onExit: (listener) => void exited.then(listener),
    async terminate() {
      terminating = true;
      killGroup(child);
      await exited;
    },
  };
}

function describeExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
  overLimit: number | undefined,
  limit: number | undefined,
  terminating: boolean,
): ProcessExit {
  const how = signal ? `was killed by ${signal}` : `ended with exit code ${code ?? "unknown"}`;
  const exit: ProcessExit = code === null ? {} : { code };
  if (overLimit !== undefined) {
    const used = Math.round(overLimit / 2 ** 20);
    exit.reason = "out of memory";
    exit.error = {
      name: "WorkOutOfMemory",
      message: `the work's process ran out of memory: it used ${used} MiB, over its limit of ${limit} MiB (CloudCompute memoryMiB), and was ended`,
    };
  } else if (!terminating && OOM_TEXT.test(stderr)) {
    exit.reason = "out of memory";
    const fatal = stderr
      .split("\n")
      .find((l) => OOM_TEXT.test(l))
      ?.replace(/^[#\s]+/, "")
      .trim();
    exit.error = {
      name: "WorkOutOfMemory",
      message: `the work's process ran out of memory${limit ? ` (limit ${limit} MiB)` : ""} and ${how}: ${fatal}`,
    };
  } else if (!terminating) {
    exit.error = { name: "WorkerExit", message: `the work's process ${how}` };
  }
  return exit;
}
