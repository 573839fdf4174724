/**
 * Runs an app for real: the flow in this thread, each work in its own worker
 * thread (or OS process, with `isolation: "process"`), output prefixed per work, Ctrl-C and SIGTERM ending every work.
 */
import process from "node:process";
import { JournalError, type LightningApp } from "@lit-app/core";
import { AppEngine, type AppResult, type Clock, type WakeScheduler } from "@lit-app/core/internal";
import { WorkerThreadExecutor } from "@lit-app/local-workers";
import type { AppServer } from "@lit-app/server";
import { runtimeKind } from "@lit-app/runtime";
import { executorForHosts } from "../remote/executor-for-hosts.ts";
import { logPrinter } from "./log-printer.ts";
import { startSpareWorkThreads, type DeclaredWork } from "./spare-work-threads.ts";
import { appJournal, JOURNAL_HINT, type JournalOption } from "./journal-option.ts";
import { hostLost } from "./host-lost.ts";
import { systemClock } from "./system-clock.ts";

/** Options of {@link runApp}. */
export interface RunAppOptions {
  /** URL or path of the module that builds the app: each worker loads it to find its work. */
  appModule: string | URL;
  /** Heap limit per worker in MB (Node). Default: `LIT_WORKER_HEAP_MB` or none. */
  heapLimitMb?: number;
  /**
   * Where works run whose own `isolation` option is unset: `"thread"` or `"process"` (each
   * work in its own OS process). Default: `LIT_ISOLATION` or `"thread"`.
   */
  isolation?: "thread" | "process";
  /** Colour the `name |` prefixes. Default: when stdout is a terminal. */
  color?: boolean;
  /** Handle SIGINT/SIGTERM by stopping the app. Default true. */
  handleSignals?: boolean;
  /** Serve the app's UI and API. Default true (`LIT_NO_SERVER=1` turns it off). */
  server?: boolean;
  /** The app server's port: default 7501, or the next free one; given, it must be free. */
  port?: number;
  /** Address to listen on. Default 127.0.0.1; anything else requires a token (generated and printed). */
  listen?: string;
  /** The token every request must carry when listening beyond loopback. */
  token?: string;
  /** The clock the flow's passes run on. Default: the system clock. */
  clock?: Clock & WakeScheduler;
  /** `--host` rules (`gpu=gpu-box`, `gpu-box`): the works they match run on those SSH hosts. */
  hosts?: readonly string[];
  /**
   * How long a host of the `--host` rules may stay unreachable before its works fail with reason
   * `host lost`, ms. Default: `LIT_HOST_LOST_AFTER` (seconds), else 10 minutes.
   */
  hostLostMs?: number;
  /**
   * Keep the app's durable state in a folder, and resume from it: started again after its process died,
   * the app restores its state and calls (see file-journal.ts). Default: `LIT_JOURNAL=<dir>` (with
   * `LIT_JOURNAL_FRESH=1` to discard its state), else none.
   */
  journal?: JournalOption;
}

/** How long a stopping work may run its cleanup before its thread is ended: Ctrl-C ends any app within 3 s. */
const WORK_STOP_GRACE_MS = 1500;

/** A running app. */
export interface RunningApp {
  engine: AppEngine;
  /** The app server, once it listens (undefined when there is none). */
  server: Promise<AppServer | undefined>;
  /** Resolves with how the app ended. */
  done: Promise<AppResult>;
}

function heapLimit(option: number | undefined): number | undefined {
  if (option !== undefined) return option;
  const env = Number(process.env.LIT_WORKER_HEAP_MB);
  return Number.isFinite(env) && env > 0 ? env : undefined;
}

/** The app-wide isolation: the option, else `LIT_ISOLATION`; a value that is neither is a clear error. */
function isolation(option: RunAppOptions["isolation"]): "thread" | "process" | undefined {
  const value = option ?? process.env.LIT_ISOLATION;
  if (value === undefined || value === "") return undefined;
  if (value === "thread" || value === "process") return value;
  throw new Error(
    `LIT_ISOLATION must be "thread" or "process" (each work in its own OS process), got ${JSON.stringify(value)}: set one of them, or unset it.`,
  );
}

/** Starts `app`; see {@link RunAppOptions}. */
export function startApp(app: LightningApp, options: RunAppOptions): RunningApp {
  const limit = heapLimit(options.heapLimitMb);
  const isolated = isolation(options.isolation);
  const local = new WorkerThreadExecutor({
    ...(isolated ? { isolation: isolated } : {}),
    appModule: options.appModule,
    stopGraceMs: WORK_STOP_GRACE_MS,
    ...(limit ? { heapLimitMb: limit } : {}),
  });
  const executor = options.hosts?.length ? executorForHosts(local, { hosts: options.hosts, appModule: options.appModule, appName: app.name, ...hostLost(options.hostLostMs) }) : local;
  const journal = appJournal(options.journal);
  const engine = new AppEngine(app, { executor, clock: options.clock ?? systemClock, ...(journal ? { journal } : {}) });
  // On Bun, the works' threads load while the server starts (see spare-work-threads.ts); not for works that may
  // run on other hosts.
  const endSpares = runtimeKind() === "bun" && !options.hosts?.length ? startSpareWorkThreads(engine.components() as Iterable<DeclaredWork>, isolated, options.appModule) : undefined;
  const color = options.color ?? Boolean(process.stdout.isTTY);
  engine.onLog(
    logPrinter({ stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) }, color),
  );
  const signals: { name: "SIGINT" | "SIGTERM"; handler: () => void }[] = [];
  if (options.handleSignals !== false) {
    for (const name of ["SIGINT", "SIGTERM"] as const) {
      const handler = () => void engine.stop(`stopped by ${name}`);
      process.on(name, handler);
      signals.push({ name, handler });
    }
  }
  // The server binds first: an app whose server cannot start does not start (nor its works).
  const serving = wantsServer(options) ? serve(engine, options) : undefined;
  const ended = serving ? serving.then((s) => s.failed ?? startOnce(engine)) : engine.start();
  const server = serving ? serving.then((s) => s.server) : Promise.resolve(undefined);
  const done = ended.then(async (result) => {
    endSpares?.();
    await (await server)?.close();
    for (const { name, handler } of signals) process.off(name, handler);
    if (result.stage === "failed") {
      // The message names the component; the stack (the user's, for a work) says where.
      const stack = result.error?.stack;
      let body = stack === undefined ? result.message : stack.includes(result.message) ? stack : `${result.message}\n${stack}`;
      if (result.error instanceof JournalError) body = `${result.message}\n${JOURNAL_HINT}`;
      process.stderr.write(`[lit-app] the app failed: ${body}\n`);
    }
    return result;
  });
  return { engine, done, server };
}

function wantsServer(options: RunAppOptions): boolean {
  return !(options.server === false || (options.server === undefined && process.env.LIT_NO_SERVER === "1"));
}

/** Starts the engine unless it was stopped meanwhile (Ctrl-C while the server was starting). */
function startOnce(engine: AppEngine): Promise<AppResult> {
  return engine.stage === "not_started" ? engine.start() : engine.done;
}

/** Starts the app server; `failed` says how the app ends when it could not. */
async function serve(engine: AppEngine, options: RunAppOptions): Promise<{ server?: AppServer; failed?: AppResult }> {
  try {
    const { startAppServer } = await import("@lit-app/server");
    if (engine.stage !== "running" && engine.stage !== "not_started") return {};
    const server = await startAppServer(engine, {
      ...(options.port !== undefined ? { port: options.port, strictPort: true } : {}),
      ...(options.listen ? { listen: options.listen } : {}),
      ...(options.token ? { token: options.token } : {}),
      name: engine.app.name,
      print: (line) => void process.stderr.write(`${line}\n`),
    });
    // The engine starts once the port is bound; the UI line comes once the discovery file is written (lit finds the app then).
    void server.registered.then(
      () => {
        if (engine.stage === "running" || engine.stage === "not_started") process.stderr.write(`[lit-app] the app's UI: ${server.url}\n`);
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`[lit-app] the app's UI: ${server.url}\n`);
        process.stderr.write(`[lit-app] lit commands will not find this app: its discovery file could not be written (${message}); check that $LIT_HOME (default ~/.lit) is writable.\n`);
      },
    );
    return { server };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { failed: { stage: "failed", exitCode: 1, message: `the app server could not start, so the app did not run: ${message}` } };
  }
}

/** Runs `app` until it ends and returns how it ended. */
export function runApp(app: LightningApp, options: RunAppOptions): Promise<AppResult> {
  return startApp(app, options).done;
}
