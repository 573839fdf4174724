/**
 * The program of a work's worker thread: loads the app's module in embedded
 * mode (the app does not start itself), finds its work, and runs its calls
 * one at a time, reporting state changes, output and results on one port.
 * Messages from the flow come from this process's own main thread and are
 * not validated again here (the flow validates what comes back).
 */
import {
  decodeState,
  hostWork,
  lastConstructedApp,
  LightningApp,
  runStopHooks,
  type HostedWork,
  type VarOp,
} from "@lit-app/core";
import { appStorageDir, LocalStorage, madeStorageParents } from "@lit-app/storage/local";
import * as Comlink from "../comlink.ts";
import type { RunMessage, WorkerApi, WorkToFlow } from "../protocol.ts";
import { captureConsole } from "./console-capture.ts";
import { parentEndpoint } from "./endpoint.ts";
import { trapExit } from "./exit-trap.ts";
import { userError } from "./user-frames.ts";

(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

let hosted: HostedWork | undefined;
let events: MessagePort | undefined;
let pendingOps: VarOp[] = [];
let flushQueued = false;
const queue: RunMessage[] = [];
let busy = false;

function post(message: WorkToFlow): void {
  events?.postMessage(message);
}

function flushOps(): void {
  flushQueued = false;
  if (pendingOps.length === 0) return;
  const ops = pendingOps;
  pendingOps = [];
  post({ type: "delta", ops });
}

function onOp(op: VarOp): void {
  pendingOps.push(op);
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushOps);
  }
}

function findApp(mod: Record<string, unknown>): LightningApp | undefined {
  if (mod.default instanceof LightningApp) return mod.default;
  for (const value of Object.values(mod)) if (value instanceof LightningApp) return value;
  return lastConstructedApp();
}

async function pump(): Promise<void> {
  if (busy || !hosted) return;
  busy = true;
  for (let next = queue.shift(); next; next = queue.shift()) {
    post({ type: "started", callId: next.callId });
    try {
      hosted.applyOps(next.delta as VarOp[]);
      await hosted.run(next.args as never[]);
      flushOps();
      post({ type: "succeeded", callId: next.callId });
    } catch (error) {
      flushOps();
      post({ type: "failed", callId: next.callId, error: userError(error) });
    }
  }
  busy = false;
}

let loadApp: (url: string) => Promise<unknown> = (url) => import(url);
/** Imports another module of the app, by file URL: the one the flow found a run-time work's class exported from. */
let loadModule: (url: string) => Promise<unknown> = (url) => import(url);
let storage: LocalStorage | undefined;
/** Removes the work's storage root, and the folders above it, where nothing was left in them. */
let release: () => void = () => {};

const api: WorkerApi = {
  async init(init, port) {
    if (init.type !== "init") throw new TypeError(`expected an init message, got ${String(init.type)}`);
    events = port;
    captureConsole((stream, line) => post({ type: "log", stream, line }));
    const mod = (await loadApp(init.appModule)) as Record<string, unknown>;
    const app = findApp(mod);
    // Already loaded with the app's module (it imports it): importing it again costs next to nothing.
    const classModule =
      init.classModule && init.classModule !== init.appModule ? ((await loadModule(init.classModule)) as Record<string, unknown>) : mod;
    hosted = hostWork({
      app,
      name: init.name,
      className: init.className,
      constructorOptions: decodeState(init.constructorOptions),
      state: init.state as never,
      exports: classModule,
      ...(init.exportName === undefined ? {} : { exportName: init.exportName }),
      onOp,
      now: () => Date.now(),
      storage: (storage = new LocalStorage(init.storageDir ?? appStorageDir(init.appModule, app?.name ?? "app"))),
    });
    // The folders lit-app made beside the app go once empty; a storage folder given by the user stays.
    release = () => storage?.removeIfEmpty(init.name, init.storageDir ? [] : madeStorageParents(init.appModule));
  },
  async run(run) {
    if (run.type !== "run") throw new TypeError(`expected a run message, got ${String(run.type)}`);
    queue.push(run);
    void pump();
  },
  async stop() {
    try {
      if (hosted) await runStopHooks(hosted.work);
    } finally {
      try {
        release();
      } finally {
        post({ type: "stopped" });
      }
    }
  },
};

/**
 * Starts serving the flow. `load` imports the app's module and `loadOther`
 * another module of the app, by file URL; the defaults import the URL, a
 * bundle passes the modules it was built with.
 */
export async function bootWorker(
  load?: (url: string) => Promise<unknown>,
  loadOther?: (url: string) => Promise<unknown>,
): Promise<void> {
  if (load) loadApp = load;
  if (loadOther) loadModule = loadOther;
  trapExit((error, code) => {
    flushOps();
    post({ type: "exiting", error, ...(code === undefined ? {} : { code }) });
    // The thread ends without being stopped: what stopping does to its storage is done now.
    try {
      release();
    } catch {
      // Left for the user to remove; the exit goes on.
    }
  });
  // Deno ends a worker that calls process.exit() or Deno.exit() without telling its parent: say so first.
  (globalThis as { addEventListener?: (type: string, fn: () => void) => void }).addEventListener?.("unload", () => {
    const code = (globalThis as { Deno?: { exitCode?: number } }).Deno?.exitCode;
    post({ type: "exiting", ...(code === undefined ? {} : { code }) });
  });
  Comlink.expose(api, await parentEndpoint());
}
