/**
 * Runs the fault tests' app (test/fixtures/fault-app.ts) on a real engine
 * whose works run under a test agent through a {@link RemoteExecutor}, and
 * records what the flow sees: events, log lines, the ticker's status.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { AppEngine, type Clock, type LogLine, type WakeScheduler, type WorkEvent, type WorkExecutor } from "@lit-app/core/internal";
import { makeApp, type FaultRoot } from "../../test/fixtures/fault-app.ts";
import { RemoteExecutor, type RemoteExecutorOptions } from "../client/remote-executor.ts";

const APP = new URL("../../test/fixtures/fault-app.ts", import.meta.url).href;
(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

export const testClock: Clock & WakeScheduler = {
  now: () => Date.now(),
  at: (time, fn) => {
    const t = setTimeout(fn, Math.max(0, time - Date.now()));
    return () => clearTimeout(t);
  },
  soon: (fn) => void setImmediate(fn),
};

/** The app running, and what its flow saw. */
export interface RemoteApp {
  engine: AppEngine;
  root: FaultRoot;
  executor: RemoteExecutor;
  events: WorkEvent[];
  logs: LogLine[];
  /** The file each run of the ticker's call appends a line to. */
  marker: string;
  /** How many times the call ran (lines in the marker). */
  runs(): number;
  /** The ticker's printed lines the flow saw. */
  ticks(): string[];
  /** Sets the app going: the ticker prints `lines` lines, one every `everyMs`. */
  go(lines: number, everyMs: number): void;
  stop(): Promise<void>;
}

/** Starts the fault app with a remote executor built from `options` (appModule is the fixture's). */
export async function startRemoteApp(options: Omit<RemoteExecutorOptions, "appModule">, given: { marker?: string } = {}): Promise<RemoteApp> {
  const executor = new RemoteExecutor({ ...options, appModule: APP });
  const events: WorkEvent[] = [];
  const logs: LogLine[] = [];
  const recorder: WorkExecutor = {
    bind: (emit) =>
      executor.bind((event) => {
        events.push(event);
        emit(event);
      }),
    start: (ref) => executor.start(ref),
    call: (ref, call) => executor.call(ref, call),
    stop: (ref) => executor.stop(ref),
    close: () => executor.close(),
  };
  const app = makeApp();
  const engine = new AppEngine(app, { executor: recorder, clock: testClock });
  engine.onLog((line) => logs.push(line));
  void engine.start();
  await engine.started;
  const marker = given.marker ?? join(mkdtempSync(join(tmpdir(), "lit-marker-")), "runs");
  const root = app.root as FaultRoot;
  return {
    engine,
    root,
    executor,
    events,
    logs,
    marker,
    runs: () => {
      try {
        return readFileSync(marker, "utf8").split("\n").filter(Boolean).length;
      } catch {
        return 0;
      }
    },
    ticks: () => logs.filter((l) => l.work === "root.ticker" && l.line.startsWith("tick ")).map((l) => l.line),
    go(lines, everyMs) {
      engine.applyDelta([
        { op: "replace", path: "/components/root/vars/marker", value: marker },
        { op: "replace", path: "/components/root/vars/everyMs", value: everyMs },
        { op: "replace", path: "/components/root/vars/lines", value: lines },
      ]);
    },
    stop: async () => {
      await engine.stop();
      if (!given.marker) rmSync(dirname(marker), { recursive: true, force: true });
    },
  };
}

/** `tick 0` .. `tick n-1`. */
export function expectedTicks(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `tick ${i}`);
}
