/**
 * Runs an app for real: the flow in this thread, each work in its own worker
 * thread, output prefixed per work, Ctrl-C and SIGTERM ending every work.
 */
import process from "node:process";
import { AppRuntime, type AppResult, type LightningApp } from "@lit-app/core";
import { WorkerThreadExecutor } from "@lit-app/local-workers";
import { logPrinter } from "./log-printer.ts";
import { systemClock } from "./system-clock.ts";

/** Options of {@link runApp}. */
export interface RunAppOptions {
  /** URL or path of the module that builds the app: each worker loads it to find its work. */
  appModule: string | URL;
  /** Heap limit per worker in MB (Node). Default: `LIT_WORKER_HEAP_MB` or none. */
  heapLimitMb?: number;
  /** Colour the `name |` prefixes. Default: when stdout is a terminal. */
  color?: boolean;
  /** Handle SIGINT/SIGTERM by stopping the app. Default true. */
  handleSignals?: boolean;
}

/** A running app. */
export interface RunningApp {
  runtime: AppRuntime;
  /** Resolves with how the app ended. */
  done: Promise<AppResult>;
}

function heapLimit(option: number | undefined): number | undefined {
  if (option !== undefined) return option;
  const env = Number(process.env.LIT_WORKER_HEAP_MB);
  return Number.isFinite(env) && env > 0 ? env : undefined;
}

/** Starts `app`; see {@link RunAppOptions}. */
export function startApp(app: LightningApp, options: RunAppOptions): RunningApp {
  const limit = heapLimit(options.heapLimitMb);
  const executor = new WorkerThreadExecutor({ appModule: options.appModule, ...(limit ? { heapLimitMb: limit } : {}) });
  const runtime = new AppRuntime(app, { executor, clock: systemClock });
  const color = options.color ?? Boolean(process.stdout.isTTY);
  runtime.onLog(
    logPrinter({ stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) }, color),
  );
  const signals: { name: "SIGINT" | "SIGTERM"; handler: () => void }[] = [];
  if (options.handleSignals !== false) {
    for (const name of ["SIGINT", "SIGTERM"] as const) {
      const handler = () => void runtime.stop(`stopped by ${name}`);
      process.on(name, handler);
      signals.push({ name, handler });
    }
  }
  const done = runtime.start().then((result) => {
    for (const { name, handler } of signals) process.off(name, handler);
    if (result.stage === "failed") {
      const detail = result.error?.stack && !result.error.stack.includes(result.message) ? `\n${result.error.stack}` : "";
      process.stderr.write(`[lit-app] the app failed: ${result.error?.stack ?? result.message}${detail}\n`);
    }
    return result;
  });
  return { runtime, done };
}

/** Runs `app` until it ends and returns how it ended. */
export function runApp(app: LightningApp, options: RunAppOptions): Promise<AppResult> {
  return startApp(app, options).done;
}
