/**
 * Runs an app for a server test: works in this thread (the core's in-process
 * executor, which also reports lines works print with `log()`), real time,
 * and the app server on a free port with its discovery file in a temp folder.
 */
import type { LightningApp } from "@lit-app/core";
import { AppEngine, type WorkEvent } from "@lit-app/core/internal";
import { InProcessExecutor } from "@lit-app/core/testing";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAppServer, type AppServer, type AppServerOptions } from "../start.ts";
import { realClock } from "./real-clock.ts";

/** The in-process executor, plus a way for test works to print through the engine. */
export class LoggingExecutor extends InProcessExecutor {
  private emitEvent: (event: WorkEvent) => void = () => {};
  override bind(emit: (event: WorkEvent) => void): void {
    this.emitEvent = emit;
    super.bind(emit);
  }
  /** Reports an event as an executor that runs works elsewhere would (where a work runs, why it waits). */
  report(event: WorkEvent): void {
    this.emitEvent(event);
  }
  /** Reports a line printed by `work`, as a worker-thread executor does. */
  log(work: string, line: string, stream: "stdout" | "stderr" = "stdout"): void {
    this.emitEvent({ type: "log", work, stream, line });
  }
}

/** An app served for a test. */
export interface ServedApp {
  engine: AppEngine;
  executor: LoggingExecutor;
  server: AppServer;
  url: string;
  /** Stops the app and the server. */
  stop(): Promise<void>;
}

/** A temp lit home, so tests never touch ~/.lit. */
export function tempLitHome(): string {
  const dir = mkdtempSync(join(tmpdir(), "lit-home-"));
  process.env.LIT_HOME = dir;
  return dir;
}

/** Starts `app` and serves it on a free port. */
export async function serveApp(app: LightningApp, options: AppServerOptions = {}): Promise<ServedApp> {
  if (!process.env.LIT_HOME) tempLitHome();
  const executor = new LoggingExecutor();
  const engine = new AppEngine(app, { executor, clock: realClock });
  void engine.start();
  const server = await startAppServer(engine, { port: 0, ...options });
  // As lit run does before it prints the UI line: the discovery file is there.
  await server.registered;
  return {
    engine,
    executor,
    server,
    url: server.url,
    async stop() {
      await engine.stop("test over");
      await server.close();
    },
  };
}

/** Resolves when `check()` is true, polling every 10 ms; rejects after `ms` with `what`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
