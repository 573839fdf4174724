/// <reference types="bun-types" />
/** Starting an app's thread (app-thread.ts) on each runtime: `worker_threads` on Node, a Web Worker on Bun and Deno. */
import { runtimeKind, startThreadWithOldSpace } from "@lit-app/runtime";
import { APP_THREAD_NAME, type FromAppThread, type ToAppThread } from "./app-thread-protocol.ts";

/** A started app thread. */
export interface AppThread {
  post(message: ToAppThread): void;
  onMessage(listener: (message: FromAppThread) => void): void;
  /** Calls `listener` if the thread fails (an error nothing caught) or ends by itself, even if it already has. */
  onFailure(listener: (reason: string) => void): void;
  /** Whether the thread keeps the process alive (it does once started; see {@link spawnAppThread}). */
  keepAlive(yes: boolean): void;
  /** Ends the thread; on Node, what it printed is written out first. */
  end(): Promise<void>;
}

/** What the thread may load before it is told to start the app (see app-thread-protocol.ts, `prepare`). */
export interface AppThreadPrepare {
  /** The app will serve its UI: load the app server meanwhile. */
  server: boolean;
}

/** Failure listeners that also hear of a failure that came before them. */
function failures() {
  const listeners: ((reason: string) => void)[] = [];
  let failed: string | undefined;
  return {
    fail(reason: string) {
      failed ??= reason;
      for (const l of listeners) l(reason);
    },
    add(listener: (reason: string) => void) {
      listeners.push(listener);
      if (failed !== undefined) queueMicrotask(() => listener(failed as string));
    },
  };
}

/**
 * Starts an app thread; with `prepare`, tells it what it may load while the
 * app's module is still loading here. It keeps the process alive, unless
 * `keepAlive(false)` is called.
 */
export async function spawnAppThread(prepare?: AppThreadPrepare): Promise<AppThread> {
  const failed = failures();
  let thread: AppThread;
  if (runtimeKind() === "node") {
    const { Worker } = await import("node:worker_threads");
    // The app's thread relays Paths between hosts: it starts with room for the buffers that takes (old-space.ts).
    const worker = startThreadWithOldSpace(() => new Worker(new URL("./app-thread-node.mjs", import.meta.url), { name: APP_THREAD_NAME }));
    let ending = false;
    worker.on("error", (error: Error) => failed.fail(error.stack ?? error.message));
    worker.on("exit", (code: number) => void (ending || failed.fail(`the app's thread ended (exit code ${code})`)));
    thread = {
      post: (m) => worker.postMessage(m),
      onMessage: (l) => void worker.on("message", l),
      onFailure: failed.add,
      keepAlive: (yes) => (yes ? worker.ref() : worker.unref()),
      end: async () => {
        ending = true;
        await worker.terminate();
      },
    };
  } else {
    const worker = new Worker(new URL("./app-thread.ts", import.meta.url).href, { type: "module", name: APP_THREAD_NAME });
    let ending = false;
    worker.addEventListener("error", (event: ErrorEvent) => {
      event.preventDefault?.();
      failed.fail(event.error instanceof Error ? (event.error.stack ?? event.error.message) : event.message || "the app's thread failed");
    });
    // Bun tells of a thread that ended by itself (process.exit in it).
    worker.addEventListener("close", () => void (ending || failed.fail("the app's thread ended")));
    thread = {
      post: (m) => worker.postMessage(m),
      onMessage: (l) => worker.addEventListener("message", (e: MessageEvent) => l(e.data as FromAppThread)),
      onFailure: failed.add,
      // Bun's Worker can let the process end without it; Deno's cannot (its thread is never started early).
      keepAlive: (yes) => {
        if (runtimeKind() !== "bun") return;
        const bunWorker = worker as unknown as Bun.Worker;
        if (yes) bunWorker.ref();
        else bunWorker.unref();
      },
      end: async () => {
        ending = true;
        worker.terminate();
      },
    };
  }
  if (prepare) thread.post({ type: "prepare", ...prepare });
  return thread;
}
