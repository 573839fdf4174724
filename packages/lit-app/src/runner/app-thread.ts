/**
 * The program of an app's thread: loads the app (it does not start itself
 * here), runs it with its server and its works' threads, stops it when told,
 * and says how it ended. Its passes are marked for the supervising thread,
 * which reports a pass that does not return and ends the process when the app
 * does not stop in time.
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import { allowComputeNames } from "@lit-app/core/internal";
import { runtimeKind } from "@lit-app/runtime";
import { UsageError } from "../cli/errors.ts";
import { loadApp } from "../cli/load-app.ts";
import { parseHostRules } from "../remote/host-rules.ts";
import type { FromAppThread, ToAppThread } from "./app-thread-protocol.ts";
import { setEmbedded } from "./embedded.ts";
import { markPasses } from "./pass-marks.ts";
import { startApp, type RunningApp } from "./run-app.ts";
import { writeStdioSynchronously } from "./sync-stdio.ts";
import { systemClock } from "./system-clock.ts";
import { worksStartedBySupervisor, workThreadsThroughSupervisor } from "./work-threads.ts";

setEmbedded();
if (runtimeKind() === "node") writeStdioSynchronously();

interface Port {
  post(message: FromAppThread, transfer?: Transferable[]): void;
  listen(listener: (message: ToAppThread) => void): void;
}

async function parentPort(): Promise<Port> {
  if (runtimeKind() === "node") {
    const { parentPort: port } = await import("node:worker_threads");
    if (!port) throw new Error("app-thread.ts runs in a worker thread");
    return { post: (m, t) => port.postMessage(m, t as never), listen: (l) => void port.on("message", l) };
  }
  const self = globalThis as unknown as {
    postMessage(m: unknown, transfer?: Transferable[]): void;
    addEventListener(t: "message", l: (e: MessageEvent) => void): void;
  };
  return { post: (m, t) => self.postMessage(m, t ?? []), listen: (l) => self.addEventListener("message", (e) => l(e.data as ToAppThread)) };
}

function report(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  process.stderr.write(`[lit-app] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

const port = await parentPort();
let running: RunningApp | undefined;
let stopReason: string | undefined;
const workThreads = worksStartedBySupervisor() ? workThreadsThroughSupervisor((m, t) => port.post(m, t)) : undefined;
// local-workers' spawnWorker starts works' threads through this (see its WORK_THREAD_SPAWNER).
if (workThreads) (globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.workThreadSpawner")] = workThreads.spawn;

port.listen((message) => {
  switch (message.type) {
    case "work-exit":
      workThreads?.received(message);
      return;
    case "prepare":
      prepare(message);
      return;
    case "start":
      void run(message).then((exitCode) => port.post({ type: "done", exitCode }));
      return;
    case "stop":
      stopReason ??= message.reason;
      void running?.engine.stop(message.reason);
      return;
  }
});

/**
 * Loads what running an app takes (the app server) while this thread waits to be told which app to run (see
 * app-thread-protocol.ts). A failure here is the app's to report when it needs the module. The cron parser
 * is loaded by the engine when a flow first calls schedule().
 */
function prepare(message: Extract<ToAppThread, { type: "prepare" }>): void {
  if (message.server) void import("@lit-app/server").catch(() => undefined);
}

async function run(start: Extract<ToAppThread, { type: "start" }>): Promise<number> {
  try {
    // Compute names of the user's own that --host rules map (a100 in --host a100=box), before the app's module loads.
    if (start.options.hosts?.length) allowComputeNames(parseHostRules(start.options.hosts).customComputes);
    const { app, url } = await loadApp(start.appModule.startsWith("file:") ? fileURLToPath(start.appModule) : start.appModule);
    port.post({ type: "loaded", rootClass: (app.root as object).constructor.name });
    if (stopReason !== undefined) return 0;
    running = startApp(app, {
      ...start.options,
      appModule: url,
      handleSignals: false,
      clock: markPasses(systemClock, start.marks),
    });
    // A stop that came while the app was being loaded.
    if (stopReason !== undefined) void running.engine.stop(stopReason);
    return (await running.done).exitCode;
  } catch (error) {
    return report(error);
  }
}
