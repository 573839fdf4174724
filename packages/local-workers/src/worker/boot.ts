/**
 * The program of a work's worker thread: loads the app's module in embedded
 * mode (the app does not start itself), finds its work, and runs its calls
 * with the core's shared WorkRunner, reporting state changes, output and
 * results on the one channel to the flow, each message stamped with the
 * work's incarnation and a sequence number. Messages from the flow come from
 * this process's own executor and are checked for shape without zod
 * (flow-message.ts); the flow parses everything that comes back.
 *
 * A thousand works start a thousand threads, each loading this program
 * afresh: it loads only what every work needs (the core, which the work's own
 * module imports anyway). What only some need comes when they do: zod and the
 * fd-3 channel in a work's own process, the work's storage at its first use
 * (work-storage.ts).
 */
/// <reference types="deno" />
import { LightningApp, type JsonValue } from "@lit-app/core";
import {
  allowComputeNames,
  decodeState,
  loadWork,
  lastConstructedApp,
  runStopHooks,
  serializeError,
  WorkRunner,
  type LoadedWork,
  type RunnerReport,
  type VarOp,
} from "@lit-app/core/internal";
import type { WorkChannel } from "../channel.ts";
import type { FlowToWork, InitMessage, WorkToFlow } from "../protocol.ts";
import { captureConsole, flushOutput } from "./console-capture.ts";
import { parentChannel } from "./endpoint.ts";
import { trapExit } from "./exit-trap.ts";
import { readFlowMessage, type FlowMessageRead } from "./flow-message.ts";
import { channelFd, markOwnProcess } from "./own-process.ts";
import { userError } from "./user-frames.ts";
import { workStorage, type WorkStorage } from "./work-storage.ts";

(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

/** Distributes `Omit` over a union. */
type Body<T> = T extends unknown ? Omit<T, "incarnation" | "seq"> : never;

let channel: WorkChannel | undefined;
let incarnation = "";
let seq = 0;
let loaded: LoadedWork | undefined;
let runner: WorkRunner | undefined;
let pendingOps: VarOp[] = [];
let flushQueued = false;
/** The stages of this incarnation's latest calls, for a snapshot. */
const calls = new Map<string, Extract<WorkToFlow, { type: "snapshot" }>["calls"][number]>();
const KEPT_CALLS = 100;

/** Sends a message to the flow, stamped with this incarnation and the next sequence number. */
function post(message: Body<WorkToFlow>): void {
  if (!channel) return;
  channel.send({ ...message, incarnation, seq: ++seq });
}

function flushOps(): void {
  flushQueued = false;
  if (pendingOps.length === 0) return;
  const ops = pendingOps;
  pendingOps = [];
  post({ type: "delta", ops });
}

/** Sends what the work printed without a newline, then its state changes: before a result, at stop, at exit. */
function flushAll(): void {
  flushOutput();
  flushOps();
}

function onOp(op: VarOp): void {
  pendingOps.push(op);
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushOps);
  }
}

function report(r: RunnerReport): void {
  calls.delete(r.callId);
  calls.set(r.callId, r.type === "failed" ? { callId: r.callId, stage: "failed", error: r.error } : { callId: r.callId, stage: r.type === "started" ? "running" : r.type });
  if (calls.size > KEPT_CALLS) calls.delete(calls.keys().next().value as string);
  post(r);
}

function findApp(mod: Record<string, unknown>): LightningApp | undefined {
  if (mod.default instanceof LightningApp) return mod.default;
  for (const value of Object.values(mod)) if (value instanceof LightningApp) return value;
  return lastConstructedApp();
}

let loadApp: (url: string) => Promise<unknown> = (url) => import(url);
/** Imports another module of the app, by file URL: the one the flow found a run-time work's class exported from. */
let loadModule: (url: string) => Promise<unknown> = (url) => import(url);
let storage: WorkStorage | undefined;
/** Removes the work's storage root, and the folders above it, where nothing was left in them. */
let release: () => void = () => {};

async function init(message: InitMessage): Promise<void> {
  // The app's module may make a CloudCompute of a name the flow's --host rules allowed.
  if (message.computeNames) allowComputeNames(message.computeNames);
  const mod = (await loadApp(message.appModule)) as Record<string, unknown>;
  const app = findApp(mod);
  storage = await workStorage({ appModule: message.appModule, appName: app?.name ?? "app", storageDir: message.storageDir });
  // Already loaded with the app's module (it imports it): importing it again costs next to nothing.
  const classModule =
    message.classModule && message.classModule !== message.appModule ? ((await loadModule(message.classModule)) as Record<string, unknown>) : mod;
  loaded = loadWork({
    app,
    name: message.name,
    className: message.className,
    constructorOptions: decodeState(message.constructorOptions as JsonValue),
    state: message.state as never,
    exports: classModule,
    ...(message.exportName === undefined ? {} : { exportName: message.exportName }),
    onOp,
    now: () => Date.now(),
    storage: storage.port,
  });
  runner = new WorkRunner({ work: loaded, report, flush: flushAll, describeError: userError });
  release = () => storage?.release(message.name);
}

async function stop(): Promise<void> {
  runner?.stop();
  try {
    if (loaded) await runStopHooks(loaded.work);
  } finally {
    try {
      release();
    } finally {
      flushAll();
      post({ type: "stopped" });
    }
  }
}

/** How the flow's messages are checked: for shape in a thread; with the zod schema across a process or network. */
let readMessage: (data: unknown) => FlowMessageRead = readFlowMessage;

function received(data: unknown): void {
  const read = readMessage(data);
  if (!read.ok) {
    // Not from this process's executor: said on the work's stderr, which the flow shows under its name.
    post({ type: "log", stream: "stderr", line: `[lit-app] a message from the flow was dropped: ${read.problem}` });
    return;
  }
  const message: FlowToWork = read.message;
  switch (message.type) {
    case "init":
      if (incarnation) return;
      incarnation = message.incarnation;
      captureConsole((stream, line) => post({ type: "log", stream, line }));
      init(message).then(
        () => post({ type: "ready" }),
        (error: unknown) => post({ type: "initFailed", error: serializeError(error) }),
      );
      return;
    case "run":
      runner?.push(message as { callId: string; args: JsonValue[]; delta: VarOp[] });
      return;
    case "stop":
      void stop();
      return;
    case "resync":
      flushOps();
      post({ type: "snapshot", state: loaded?.state() ?? {}, calls: [...calls.values()] });
      return;
  }
}

/**
 * Starts serving the flow. `load` imports the app's module and `loadOther`
 * another module of the app, by file URL; the defaults import the URL, a
 * bundle passes the modules it was built with. `link` is the channel to the
 * flow of a work process that a host's agent started (a socket that outlives
 * the agent); without it, fd 3 in a child process, else the thread's port.
 */
export async function bootWorker(
  load?: (url: string) => Promise<unknown>,
  loadOther?: (url: string) => Promise<unknown>,
  link?: WorkChannel,
): Promise<void> {
  if (load) loadApp = load;
  if (loadOther) loadModule = loadOther;
  trapExit((error, code) => {
    flushAll();
    // The thread ends without being stopped: what stopping does to its storage is done now, before the flow
    // hears of the exit (which may end the app's process at once, with the folder still there).
    try {
      release();
    } catch {
      // Left for the user to remove; the exit goes on.
    }
    post({ type: "exiting", error, ...(code === undefined ? {} : { code }) });
  });
  // Deno ends a worker that calls process.exit() or Deno.exit() without telling its parent: say so first.
  globalThis.addEventListener?.("unload", () => {
    const code = "Deno" in globalThis ? Deno.exitCode : undefined;
    post({ type: "exiting", ...(code === undefined ? {} : { code }) });
  });
  // In a child process of its own (isolation: "process", or a host's agent that passes `link`): the flow's
  // messages cross a process, so zod checks them.
  const fd = link ? undefined : channelFd();
  if (link) markOwnProcess();
  if (link || fd !== undefined) {
    const [{ parseFlowMessage }, { processChannel }] = await Promise.all([import("./parse-flow-message.ts"), import("./process-channel.ts")]);
    serveWork(link ?? processChannel(fd!), parseFlowMessage);
  } else serveWork(await parentChannel());
}

/**
 * Serves the flow on `link`: the work's side of the work protocol. A worker
 * thread serves its parent's port; a host that gets the flow's messages over
 * a process boundary or a network passes `read` = `parseFlowMessage`
 * (zod), since those bytes are not its own process's.
 */
export function serveWork(link: WorkChannel, read: (data: unknown) => FlowMessageRead = readFlowMessage): void {
  readMessage = read;
  channel = link;
  link.onMessage(received);
}
