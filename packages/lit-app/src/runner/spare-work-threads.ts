/**
 * Works' threads started before the flow asks for them, on Bun. As soon as
 * the app is loaded, its thread starts one thread per work its flows declare
 * (to run in a thread, not a process); each loads the work program while the
 * app server starts and the first pass runs. local-workers' executor takes
 * them through its spawner hook (`WORK_THREAD_SPAWNER`) when it starts those
 * works: the same program, started earlier. A work that is not among them
 * (created inside run(), restarted, past the first {@link MAX_SPARES}, another
 * program) gets a new thread. A thread nobody took ends {@link SPARE_TTL_MS}
 * later, or with the app.
 */
import { cachedThreadProgram, type PostEndpoint } from "@lit-app/local-workers";
import type { WorkThreadExit } from "./app-thread-protocol.ts";

/** local-workers' `WORK_THREAD_SPAWNER`: the global where its executor finds who starts works' threads. */
const SPAWNER = Symbol.for("lit-app.workThreadSpawner");

/** At most this many threads start before their works do: an app that declares many works starts them as it goes. */
export const MAX_SPARES = 8;
/** A spare thread that no work took this long after it started is ended. */
export const SPARE_TTL_MS = 10_000;

/** What local-workers' executor gets for a work's thread (its WorkerHandle). */
interface WorkThreadHandle {
  endpoint: PostEndpoint;
  onExit(listener: (exit: WorkThreadExit) => void): void;
  terminate(): Promise<void>;
}

interface Started {
  url: string;
  handle: WorkThreadHandle;
  ended(): boolean;
}

/**
 * The program local-workers' executor starts a work's first threads with on Bun: its built program when one is
 * cached (see its `cachedThreadProgram`), else its worker/entry.ts.
 */
function workProgram(appModule: string | URL): string | undefined {
  try {
    return (cachedThreadProgram(appModule) ?? new URL("./worker/entry.ts", import.meta.resolve("@lit-app/local-workers"))).href;
  } catch {
    return undefined;
  }
}

/** Starts `url` in a Web Worker named `name`, as local-workers' adapter for Bun does. */
function startThread(url: string, name: string): Started {
  const worker = new Worker(url, { type: "module", name });
  const listeners: ((exit: WorkThreadExit) => void)[] = [];
  let exit: WorkThreadExit | undefined;
  let ended = false;
  const end = (e: WorkThreadExit) => {
    if (ended) return;
    ended = true;
    exit = e;
    for (const l of listeners.splice(0)) l(e);
  };
  worker.addEventListener("error", (event: ErrorEvent) => {
    event.preventDefault?.();
    end({ error: { name: "Error", message: event.message || "the worker thread failed" } });
  });
  // Bun reports a thread that ended (process.exit inside it) with a "close" event.
  worker.addEventListener("close", ((event: Event & { code?: number }) => end({ code: event.code ?? 0 })) as EventListener);
  return {
    url,
    ended: () => ended,
    handle: {
      endpoint: worker as unknown as PostEndpoint,
      onExit: (l) => void (exit ? queueMicrotask(() => l(exit as WorkThreadExit)) : listeners.push(l)),
      terminate: async () => {
        ended = true;
        listeners.length = 0;
        worker.terminate();
      },
    },
  };
}

/** A work as the engine lists it before it starts (`engine.components()`). */
export interface DeclaredWork {
  name: string;
  kind: string;
  options?: { isolation?: "thread" | "process" | undefined };
}

/**
 * Starts a thread for each work in `components` that runs in a thread (its own isolation, else `isolation`),
 * running the program the executor would give it for the app at `appModule`, and hands them to local-workers' executor when it starts those works. Returns what ends those not taken.
 */
export function startSpareWorkThreads(components: Iterable<DeclaredWork>, isolation: "thread" | "process" | undefined, appModule: string | URL): () => void {
  const globals = globalThis as Record<symbol, unknown>;
  const url = workProgram(appModule);
  if (!url || globals[SPAWNER]) return () => undefined;
  const spares = new Map<string, Started>();
  for (const c of components) {
    if (spares.size === MAX_SPARES) break;
    if (c.kind === "work" && (c.options?.isolation ?? isolation ?? "thread") === "thread") spares.set(c.name, startThread(url, c.name));
  }
  if (spares.size === 0) return () => undefined;
  const spawner = async (program: URL, options: { name: string }): Promise<WorkThreadHandle> => {
    const spare = spares.get(options.name);
    spares.delete(options.name);
    // Once every spare is taken, local-workers starts threads itself again.
    if (spares.size === 0 && globals[SPAWNER] === spawner) delete globals[SPAWNER];
    if (spare && spare.url === program.href && !spare.ended()) return spare.handle;
    void spare?.handle.terminate();
    return startThread(program.href, options.name).handle;
  };
  globals[SPAWNER] = spawner;
  const end = () => {
    clearTimeout(expiry);
    if (globals[SPAWNER] === spawner) delete globals[SPAWNER];
    for (const spare of spares.values()) void spare.handle.terminate();
    spares.clear();
  };
  const expiry = setTimeout(end, SPARE_TTL_MS);
  expiry.unref();
  return end;
}
