/** Starting an app's thread (app-thread.ts) on each runtime: `worker_threads` on Node, a Web Worker on Bun and Deno. */
import { runtimeKind } from "@lit-app/runtime";
import { APP_THREAD_NAME, type FromAppThread, type ToAppThread } from "./app-thread-protocol.ts";

/** A started app thread. */
export interface AppThread {
  post(message: ToAppThread): void;
  onMessage(listener: (message: FromAppThread) => void): void;
  /** Calls `listener` if the thread fails (an error nothing caught) or ends by itself. */
  onFailure(listener: (reason: string) => void): void;
  /** Ends the thread; on Node, what it printed is written out first. */
  end(): Promise<void>;
}

/** Starts an app thread. */
export async function spawnAppThread(): Promise<AppThread> {
  const failures: ((reason: string) => void)[] = [];
  const fail = (reason: string) => failures.forEach((l) => l(reason));
  if (runtimeKind() === "node") {
    const { Worker } = await import("node:worker_threads");
    const worker = new Worker(new URL("./app-thread-node.mjs", import.meta.url), { name: APP_THREAD_NAME });
    let ending = false;
    worker.on("error", (error: Error) => fail(error.stack ?? error.message));
    worker.on("exit", (code: number) => void (ending || fail(`the app's thread ended (exit code ${code})`)));
    return {
      post: (m) => worker.postMessage(m),
      onMessage: (l) => void worker.on("message", l),
      onFailure: (l) => void failures.push(l),
      end: async () => {
        ending = true;
        await worker.terminate();
      },
    };
  }
  const worker = new Worker(new URL("./app-thread.ts", import.meta.url).href, { type: "module", name: APP_THREAD_NAME });
  let ending = false;
  worker.addEventListener("error", (event: ErrorEvent) => {
    event.preventDefault?.();
    fail(event.error instanceof Error ? (event.error.stack ?? event.error.message) : event.message || "the app's thread failed");
  });
  // Bun tells of a thread that ended by itself (process.exit in it).
  worker.addEventListener("close", () => void (ending || fail("the app's thread ended")));
  return {
    post: (m) => worker.postMessage(m),
    onMessage: (l) => worker.addEventListener("message", (e: MessageEvent) => l(e.data as FromAppThread)),
    onFailure: (l) => void failures.push(l),
    end: async () => {
      ending = true;
      worker.terminate();
    },
  };
}
