/**
 * Runs each work in its own worker thread, or in its own OS process where the
 * work or the executor asks (`isolation: "process"`). The flow and the work
 * talk over one channel (the thread's own port, or the child's fd 3) in the
 * work protocol (protocol.ts):
 * the flow sends init/run/stop/resync; the work reports ready, started,
 * deltas, logs and results, each stamped with its incarnation and sequence
 * number, parsed with zod and ordered here (work-link.ts).
 */
import {
  allowedComputeNames,
  encodeState,
  newIncarnation,
  workCreation,
  type SerializedError,
  type WorkCall,
  type WorkEvent,
  type WorkExecutor,
  type WorkRef,
} from "@lit-app/core/internal";
import { runtimeKind } from "@lit-app/runtime";
import type { ProcessExit } from "./adapters/process.ts";
import { spawnWorker } from "./adapters/spawn.ts";
import { releaseWorkerFiles } from "./adapters/worker-files.ts";
import { portChannel, type WorkChannel } from "./channel.ts";
import { RebuildableClasses } from "./rebuildable-classes.ts";
import { classNotExported, findClassExport } from "./work-class.ts";
import { WorkLink } from "./work-link.ts";

/** Options of a {@link WorkerThreadExecutor}. */
export interface WorkerExecutorOptions {
  /** URL (or file path) of the app's module: each worker loads it to find its work. */
  appModule: string | URL;
  /** Heap limit per worker in MB, where the runtime allows one (Node; any runtime for a work in its own process). */
  heapLimitMb?: number;
  /**
   * Where works whose `isolation` option is unset run: `"thread"` (default) or
   * `"process"`, each in its own OS process, limited to its CloudCompute's
   * `memoryMiB` (else `heapLimitMb`). A work's own `isolation` wins.
   */
  isolation?: "thread" | "process";
  /** How long a stopping work may take to run its cleanup before its thread is ended, ms. Default 3000. */
  stopGraceMs?: number;
  /** The folder of the works' storage roots. Default: `appStorageDir(appModule, app.name)`. */
  storageDir?: string;
  /**
   * What works' threads run on Bun (other runtimes ignore it): `"built"`, the
   * work program built once with esbuild and cached (adapters/thread-program.ts);
   * `"source"`, its TypeScript as it is; `"auto"` (default), the built one when
   * it is cached, or from the {@link BUILD_AFTER}th thread this executor starts
   * on (the first ones do not wait for a build; the many after them gain more
   * than it costs).
   */
  threadProgram?: "auto" | "built" | "source";
}

/** With `threadProgram: "auto"`, the thread from which on works' threads wait for the built program. */
export const BUILD_AFTER = 8;

interface Lane {
  name: string;
  ready: Promise<void>;
  /** Ends the work's thread or process. */
  terminate?: () => Promise<void>;
  link?: WorkLink;
  stopping: boolean;
  /** The thread has ended. */
  ended?: boolean;
  /** What the work runs in, once started. */
  kind?: "thread" | "process";
  /** Called when the work reports that its stop hooks have run (all its output came before). */
  onStopped?: () => void;
}

/** A started thread or process of a work, as the lanes use it. */
interface Spawned {
  kind: "thread" | "process";
  channel: WorkChannel;
  onExit(listener: (exit: ProcessExit) => void): void;
  terminate(): Promise<void>;
}

const ENTRY = new URL("./worker/entry.ts", import.meta.url);

function toUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z]+:/i.test(module)) return module;
  return new URL(module, `file://${module.startsWith("/") ? "" : "/"}`).href;
}

/** An Error rebuilt from what crossed the channel, keeping its name, stack and code. */
function toError(described: SerializedError): Error {
  const error = new Error(described.message);
  error.name = described.name;
  if (described.stack) error.stack = described.stack;
  if (described.code) (error as { code?: string }).code = described.code;
  return error;
}

/** A {@link WorkExecutor} with one worker thread per work. */
export class WorkerThreadExecutor implements WorkExecutor {
  private emit: (event: WorkEvent) => void = () => {};
  private readonly lanes = new Map<string, Lane>();
  private readonly stopping = new Set<Promise<void>>();
  private readonly options: WorkerExecutorOptions;
  private readonly appModule: string;
  private readonly classes: RebuildableClasses;
  /** Threads started so far (for `threadProgram: "auto"`), the built program found cached, and the one built. */
  private threads = 0;
  private cached: Promise<URL | undefined> | undefined;
  private built: Promise<URL> | undefined;

  constructor(options: WorkerExecutorOptions) {
    this.options = options;
    this.appModule = toUrl(options.appModule);
    this.classes = new RebuildableClasses(this.appModule);
  }

  bind(emit: (event: WorkEvent) => void): void {
    this.emit = emit;
    this.classes.prepare();
  }

  /** A work created inside run() is rebuilt in its thread or process from its class: a module of the app must export it. */
  canRebuild(cls: Function): boolean | Promise<boolean> {
    return this.classes.canRebuild(cls);
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
    // A work that failed to start has failed its calls with it (reported as exited).
    lane.ready.then(
      () => lane.link?.send({ type: "run", callId: call.id, args: call.args, delta: call.delta }),
      () => undefined,
    );
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
    const [handle, protocol, exported] = await Promise.all([
      this.spawn(work),
      // zod is costly to load: loaded while the first thread starts.
      import("./protocol.ts"),
      creation && findClassExport(this.appModule, creation.cls),
    ]);
    lane.terminate = handle.terminate;
    lane.kind = handle.kind;
    let initDone!: (error: SerializedError | undefined) => void;
    const init = new Promise<SerializedError | undefined>((resolve) => (initDone = resolve));
    const ended = new Promise<never>((_, reject) =>
      handle.onExit((exit) => {
        lane.ended = true;
        reject(new Error(exit.error?.message ?? `the work's ${handle.kind} ended with exit code ${exit.code ?? "unknown"}`));
      }),
    );
    ended.catch(() => undefined);
    handle.onExit((exit) => this.exited(lane, exit));
    const incarnation = newIncarnation();
    lane.link = new WorkLink(work.name, incarnation, handle.channel, protocol.workToFlow, {
      emit: (event) => this.emit(event),
      initDone: (error) => initDone(error),
      stopped: () => lane.onStopped?.(),
      exiting: (exit) => {
        this.exited(lane, exit);
        void lane.terminate?.();
      },
    });
    lane.link.send({
      type: "init",
      incarnation,
      appModule: this.appModule,
      name: work.name,
      className: work.className,
      ...(exported ? { classModule: exported.module, exportName: exported.exportName } : {}),
      // Encoded like state: a CloudCompute in the options must cross the thread as one.
      constructorOptions: encodeState(work.constructorOptions),
      state,
      ...(this.options.storageDir ? { storageDir: this.options.storageDir } : {}),
      ...(allowedComputeNames().length ? { computeNames: allowedComputeNames() } : {}),
    });
    try {
      const failed = await Promise.race([init, ended]);
      if (failed) throw toError(failed);
    } catch (error) {
      lane.stopping = true;
      lane.link.stopping = true;
      lane.link.close();
      await handle.terminate();
      // Its class is exported nowhere: the failure points at the user's line that created the work.
      throw creation && (error as { name?: unknown } | null)?.name === "WorkClassError"
        ? classNotExported(work.name, work.className, creation)
        : error;
    }
  }

  /** Starts the work's thread, or its process where it or this executor asks for one. */
  private async spawn(work: WorkRef): Promise<Spawned> {
    const heap = this.options.heapLimitMb ? { heapLimitMb: this.options.heapLimitMb } : {};
    if ((work.isolation ?? this.options.isolation) === "process") {
      const { spawnWorkProcess } = await import("./adapters/process.ts");
      const memoryMiB = work.compute.memoryMiB;
      const child = await spawnWorkProcess({
        name: work.name,
        appModule: this.appModule,
        owner: this,
        ...heap,
        ...(memoryMiB ? { memoryMiB } : {}),
        onLine: (stream, line) => this.emit({ type: "log", work: work.name, stream, line }),
      });
      return { kind: "process", channel: child.channel, onExit: child.onExit, terminate: child.terminate };
    }
    const thread = await spawnWorker(await this.threadProgram(), { name: work.name, appModule: this.appModule, owner: this, ...heap });
    return { kind: "thread", channel: portChannel(thread.endpoint), onExit: thread.onExit, terminate: thread.terminate };
  }

  /** The program of the next work's thread: see {@link WorkerExecutorOptions.threadProgram}. */
  private threadProgram(): Promise<URL> {
    const mode = this.options.threadProgram ?? "auto";
    if (mode === "source" || runtimeKind() !== "bun") return Promise.resolve(ENTRY);
    const nth = ++this.threads;
    // Looked up once; built once, by the thread that needs it first.
    this.cached ??= import("./adapters/thread-program-cache.ts").then(({ cachedThreadProgram }) => cachedThreadProgram(this.appModule));
    return this.cached.then((cached) => {
      if (cached || (mode === "auto" && nth < BUILD_AFTER)) return cached ?? ENTRY;
      this.built ??= import("./adapters/thread-program.ts")
        .then(({ buildThreadProgram }) => buildThreadProgram(this.appModule))
        // A build that fails (a full disk, no esbuild) leaves the threads on the program's source.
        .catch(() => ENTRY);
      return this.built;
    });
  }

  private exited(lane: Lane, exit: ProcessExit): void {
    const first = !lane.stopping;
    lane.stopping = true;
    // Closing the channel may deliver messages still queued on it at once (Deno): they must find the lane stopping.
    if (lane.link) lane.link.stopping = true;
    lane.link?.close();
    if (!first) return;
    if (this.lanes.get(lane.name) === lane) this.lanes.delete(lane.name);
    const error = exit.error ?? {
      name: "WorkerExit",
      message: `the work's ${lane.kind ?? "thread"} ended with exit code ${exit.code ?? "unknown"} (process.exit() in the work?)`,
    };
    this.emit({ type: "exited", work: lane.name, error, ...(exit.reason ? { reason: exit.reason } : {}) });
  }

  private async shutdown(lane: Lane): Promise<void> {
    if (lane.stopping) return;
    lane.stopping = true;
    if (lane.link) lane.link.stopping = true;
    const grace = this.options.stopGraceMs ?? 3000;
    try {
      await lane.ready;
      if (lane.ended) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stopped = new Promise<void>((resolve) => (lane.onStopped = resolve));
      await Promise.race([
        (lane.link!.send({ type: "stop" }), stopped),
        new Promise((resolve) => (timer = setTimeout(resolve, grace))),
      ]).finally(() => clearTimeout(timer));
    } catch {
      // The thread may already be gone; ending it below is all that is left to do.
    } finally {
      lane.link?.close();
      await lane.terminate?.();
    }
  }
}

/**
 * A {@link WorkerThreadExecutor} that runs every work in its own OS process
 * (what `lit run --isolation process` uses), unless a work asks for
 * `isolation: "thread"`.
 */
export class WorkerProcessExecutor extends WorkerThreadExecutor {
  constructor(options: Omit<WorkerExecutorOptions, "isolation">) {
    super({ ...options, isolation: "process" });
  }
}
