/**
 * Runs each work in its own worker thread. The flow calls the work over
 * comlink; the work reports started/delta/log/succeeded/failed on a message
 * port, validated with zod here.
 */
import {
  encodeState,
  serializeError,
  workCreation,
  type WorkCall,
  type WorkEvent,
  type WorkExecutor,
  type WorkRef,
} from "@lit-app/core";
import { spawnWorker } from "./adapters/spawn.ts";
import type { WorkerExit, WorkerHandle } from "./adapters/worker-handle.ts";
import { releaseWorkerFiles } from "./adapters/worker-files.ts";
import * as Comlink from "./comlink.ts";
import type { WorkerApi, WorkToFlow } from "./protocol.ts";
import { classNotExported, findClassExport } from "./work-class.ts";

/** The zod schemas, loaded while the first thread starts (zod is costly to load). */
let protocol: typeof import("./protocol.ts") | undefined;

/** Options of a {@link WorkerThreadExecutor}. */
export interface WorkerExecutorOptions {
  /** URL (or file path) of the app's module: each worker loads it to find its work. */
  appModule: string | URL;
  /** Heap limit per worker in MB, where the runtime allows one (Node). */
  heapLimitMb?: number;
  /** How long a stopping work may take to run its cleanup before its thread is ended, ms. Default 3000. */
  stopGraceMs?: number;
  /** The folder of the works' storage roots. Default: `appStorageDir(appModule, app.name)`. */
  storageDir?: string;
}

interface Lane {
  name: string;
  ready: Promise<void>;
  handle?: WorkerHandle;
  remote?: Comlink.Remote<WorkerApi>;
  port?: MessagePort;
  stopping: boolean;
  /** The thread has ended. */
  ended?: boolean;
  /** Called when the work reports that its stop hooks have run (all its output came before). */
  onStopped?: () => void;
}

const ENTRY = new URL("./worker/entry.ts", import.meta.url);

function toUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z]+:/i.test(module)) return module;
  return new URL(module, `file://${module.startsWith("/") ? "" : "/"}`).href;
}

/** A {@link WorkExecutor} with one worker thread per work. */
export class WorkerThreadExecutor implements WorkExecutor {
  private emit: (event: WorkEvent) => void = () => {};
  private readonly lanes = new Map<string, Lane>();
  private readonly stopping = new Set<Promise<void>>();
  private readonly options: WorkerExecutorOptions;
  private readonly appModule: string;

  constructor(options: WorkerExecutorOptions) {
    this.options = options;
    this.appModule = toUrl(options.appModule);
  }

  bind(emit: (event: WorkEvent) => void): void {
    this.emit = emit;
  }

  start(work: WorkRef): Promise<void> {
    const existing = this.lanes.get(work.name);
    if (existing && !existing.stopping) return existing.ready;
    const state = work.state();
    const lane: Lane = { name: work.name, ready: Promise.resolve(), stopping: false };
    lane.ready = this.boot(lane, work, state);
    this.lanes.set(work.name, lane);
    return lane.ready;
  }

  call(work: WorkRef, call: WorkCall): void {
    const lane = this.lanes.get(work.name);
    if (!lane || lane.stopping) {
      this.emit({ type: "failed", work: work.name, callId: call.id, error: { name: "Error", message: `${work.name} is not started` } });
      return;
    }
    lane.ready
      .then(() => lane.remote!.run({ type: "run", callId: call.id, args: call.args, delta: call.delta }))
      .catch((error: unknown) => {
        if (!lane.stopping) this.emit({ type: "failed", work: work.name, callId: call.id, error: serializeError(error) });
      });
  }

  async stop(work: WorkRef): Promise<void> {
    const lane = this.lanes.get(work.name);
    if (!lane) return;
    this.lanes.delete(work.name);
    const done = this.shutdown(lane);
    this.stopping.add(done);
    await done.finally(() => this.stopping.delete(done));
  }

  async close(): Promise<void> {
    const lanes = [...this.lanes.values()];
    this.lanes.clear();
    // Works stopped just before the app ended are still finishing (their last output included).
    await Promise.all([...lanes.map((lane) => this.shutdown(lane)), ...this.stopping]);
    releaseWorkerFiles(this);
  }

  private async boot(lane: Lane, work: WorkRef, state: Record<string, unknown>): Promise<void> {
    // Created inside run(): rebuilt in its thread from its class, which another module of the app may export.
    const creation = workCreation(work.work);
    const [handle, schemas, exported] = await Promise.all([
      spawnWorker(ENTRY, {
        name: work.name,
        appModule: this.appModule,
        owner: this,
        ...(this.options.heapLimitMb ? { heapLimitMb: this.options.heapLimitMb } : {}),
      }),
      import("./protocol.ts"),
      creation && findClassExport(this.appModule, creation.cls),
    ]);
    protocol = schemas;
    lane.handle = handle;
    const ended = new Promise<never>((_, reject) =>
      handle.onExit((exit) => {
        lane.ended = true;
        reject(new Error(exit.error?.message ?? `the work's thread ended with exit code ${exit.code ?? "unknown"}`));
      }),
    );
    ended.catch(() => undefined);
    handle.onExit((exit) => this.exited(lane, exit));
    lane.remote = Comlink.wrap<WorkerApi>(handle.endpoint);
    const { port1, port2 } = new MessageChannel();
    lane.port = port1;
    port1.addEventListener("message", (event) => this.onMessage(lane, (event as MessageEvent).data));
    port1.start();
    const init = lane.remote.init(
      {
        type: "init",
        appModule: this.appModule,
        name: work.name,
        className: work.className,
        ...(exported ? { classModule: exported.module, exportName: exported.exportName } : {}),
        // Encoded like state: a CloudCompute in the options must cross the thread as one.
        constructorOptions: encodeState(work.constructorOptions),
        state,
        ...(this.options.storageDir ? { storageDir: this.options.storageDir } : {}),
      },
      Comlink.transfer(port2, [port2]),
    );
    try {
      await Promise.race([init, ended]);
    } catch (error) {
      lane.stopping = true;
      port1.close();
      await handle.terminate();
      // Its class is exported nowhere: the failure points at the user's line that created the work.
      throw creation && (error as { name?: unknown } | null)?.name === "WorkClassError"
        ? classNotExported(work.name, work.className, creation)
        : error;
    }
  }

  private onMessage(lane: Lane, data: unknown): void {
    if ((data as { type?: unknown } | null)?.type === "stopped") return void lane.onStopped?.();
    // A stopping work's output (its stop hooks print) is still shown; its results no longer count.
    if (lane.stopping && (data as { type?: unknown } | null)?.type !== "log") return;
    const parsed = protocol!.workToFlow.safeParse(data);
    if (!parsed.success) {
      this.emit({ type: "log", work: lane.name, stream: "stderr", line: `[lit-app] bad message from the work's thread: ${parsed.error.message}` });
      return;
    }
    if (parsed.data.type === "exiting") {
      const { code, error } = parsed.data;
      this.exited(lane, { ...(code === undefined ? {} : { code }), ...(error ? { error } : {}) });
      void lane.handle?.terminate();
      return;
    }
    this.emit(toEvent(lane.name, parsed.data));
  }

  private exited(lane: Lane, exit: WorkerExit): void {
    const first = !lane.stopping;
    lane.stopping = true;
    // Closing the port may deliver messages still queued on it at once (Deno): they must find the lane stopping.
    lane.port?.close();
    if (!first) return;
    if (this.lanes.get(lane.name) === lane) this.lanes.delete(lane.name);
    const error = exit.error ?? {
      name: "WorkerExit",
      message: `the work's thread ended with exit code ${exit.code ?? "unknown"} (process.exit() in the work?)`,
    };
    this.emit({ type: "exited", work: lane.name, error });
  }

  private async shutdown(lane: Lane): Promise<void> {
    if (lane.stopping) return;
    lane.stopping = true;
    const grace = this.options.stopGraceMs ?? 3000;
    try {
      await lane.ready;
      if (lane.ended) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stopped = new Promise<void>((resolve) => (lane.onStopped = resolve));
      await Promise.race([
        Promise.all([lane.remote!.stop({ type: "stop" }), stopped]),
        new Promise((resolve) => (timer = setTimeout(resolve, grace))),
      ]).finally(() => clearTimeout(timer));
    } catch {
      // The thread may already be gone; ending it below is all that is left to do.
    } finally {
      lane.port?.close();
      await lane.handle?.terminate();
    }
  }
}

function toEvent(work: string, message: WorkToFlow): WorkEvent {
  switch (message.type) {
    case "started":
      return { type: "started", work, callId: message.callId };
    case "succeeded":
      return { type: "succeeded", work, callId: message.callId };
    case "failed":
      return { type: "failed", work, callId: message.callId, error: message.error };
    case "delta":
      return { type: "delta", work, ops: message.ops as never };
    case "log":
      return { type: "log", work, stream: message.stream, line: message.line };
    case "stopped":
    case "exiting":
      throw new TypeError(`a ${message.type} message is handled by the executor, not sent on as an event`);
  }
}
