/**
 * Works' threads started by the supervising thread for the app's thread, on
 * Deno: there a worker started by a worker waits half a second before it runs
 * (against milliseconds for one started by the main thread), which every work
 * would pay. The supervising thread passes the executor's messages on, with
 * the ports they carry; the port of the work's events, once passed, links the
 * app's thread and the work's thread directly.
 */
import { runtimeKind } from "@lit-app/runtime";
import type { FromAppThread, ToAppThread, WorkThreadExit } from "./app-thread-protocol.ts";

/** Whether works' threads are started by the supervising thread on this runtime. */
export function worksStartedBySupervisor(): boolean {
  return runtimeKind() === "deno";
}

/** What the executor gets for a work's thread (local-workers' WorkerHandle). */
interface WorkThreadHandle {
  endpoint: MessagePort;
  onExit(listener: (exit: WorkThreadExit) => void): void;
  terminate(): Promise<void>;
}

/** The app thread's side: the function local-workers' spawnWorker calls instead of starting a thread itself. */
export function workThreadsThroughSupervisor(post: (message: FromAppThread, transfer?: Transferable[]) => void) {
  let next = 0;
  const exits = new Map<number, (exit: WorkThreadExit) => void>();
  return {
    spawn: async (url: URL, options: { name: string }): Promise<WorkThreadHandle> => {
      const id = ++next;
      const { port1, port2 } = new MessageChannel();
      const listeners: ((exit: WorkThreadExit) => void)[] = [];
      exits.set(id, (exit) => {
        exits.delete(id);
        port1.close();
        for (const l of listeners) l(exit);
      });
      post({ type: "spawn-work", id, url: url.href, name: options.name, port: port2 }, [port2]);
      port1.start();
      return {
        endpoint: port1,
        onExit: (l) => void listeners.push(l),
        terminate: async () => {
          exits.delete(id);
          post({ type: "terminate-work", id });
          port1.close();
        },
      };
    },
    /** A message from the supervising thread. */
    received(message: Extract<ToAppThread, { type: "work-exit" }>): void {
      exits.get(message.id)?.(message.exit);
    },
  };
}

/** The supervising thread's side: starts works' threads when the app's thread asks. */
export class WorkThreadSpawner {
  private readonly threads = new Map<number, { worker: Worker; port: MessagePort }>();

  constructor(private readonly tell: (message: ToAppThread) => void) {}

  /** Handles `spawn-work` and `terminate-work`; false for other messages. */
  handle(message: FromAppThread): boolean {
    if (message.type === "spawn-work") this.spawn(message);
    else if (message.type === "terminate-work") this.end(message.id);
    else return false;
    return true;
  }

  private spawn({ id, url, name, port }: Extract<FromAppThread, { type: "spawn-work" }>): void {
    const worker = new Worker(url, { type: "module", name });
    this.threads.set(id, { worker, port });
    port.onmessage = (e) => worker.postMessage(e.data, [...e.ports]);
    worker.onmessage = (e) => port.postMessage(e.data, [...e.ports]);
    const exited = (exit: WorkThreadExit) => {
      if (!this.threads.has(id)) return;
      this.end(id);
      this.tell({ type: "work-exit", id, exit });
    };
    worker.addEventListener("error", (event: ErrorEvent) => {
      event.preventDefault?.();
      exited({ error: { name: "Error", message: event.message || "the worker thread failed" } });
    });
    worker.addEventListener("close", ((event: Event & { code?: number }) => exited({ code: event.code ?? 0 })) as EventListener);
  }

  private end(id: number): void {
    const thread = this.threads.get(id);
    if (!thread) return;
    this.threads.delete(id);
    thread.worker.terminate();
    thread.port.close();
  }
}
