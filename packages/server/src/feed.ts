/**
 * The live side of an app for its clients: state changes numbered in order
 * (each batch of JSON Patch operations gets the next `seq`), and a bounded
 * buffer of the lines its components printed.
 */
import type { AppEngine, LogLine, PatchOp, StateDocument } from "@lit-app/core/internal";

/** One line a component printed, numbered. */
export interface LogEntry {
  seq: number;
  component: string;
  stream: "stdout" | "stderr";
  line: string;
  time: number;
}

/** Messages pushed to live clients (WebSocket or server-sent events). */
export type LiveMessage =
  | { type: "state"; seq: number; state: StateDocument }
  | { type: "patch"; seq: number; ops: PatchOp[]; ack?: string }
  | { type: "log"; log: LogEntry };

type Listener = (message: LiveMessage, json: string) => void;

/** Fans an app's state changes and logs out to clients. */
export class LiveFeed {
  /** The number of the last batch of changes. */
  seq = 0;
  private logSeq = 0;
  private ack: string | undefined;
  private readonly logs: LogEntry[] = [];
  private readonly patchListeners = new Set<Listener>();
  private readonly logListeners = new Set<Listener>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly engine: AppEngine,
    private readonly maxLogs = 5000,
  ) {
    this.unsubscribe = [engine.subscribe((ops) => this.onPatch(ops)), engine.onLog((line) => this.onLog(line))];
  }

  /** The whole state with the number of the last change it contains. */
  snapshot(): { type: "state"; seq: number; state: StateDocument } {
    return { type: "state", seq: this.seq, state: this.engine.stateDocument() };
  }

  /** Subscribes to change batches; returns the function that unsubscribes. */
  onPatches(listener: Listener): () => void {
    this.patchListeners.add(listener);
    return () => this.patchListeners.delete(listener);
  }

  /** Subscribes to new log lines. */
  onLogs(listener: Listener): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  /**
   * Buffered log lines after `since`, of `component` and the components
   * below it when given, the last `limit` of them.
   */
  logsSince(since = 0, component?: string, limit = 1000): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = this.logs.length - 1; i >= 0 && out.length < limit; i--) {
      const entry = this.logs[i]!;
      if (entry.seq <= since) break;
      if (matches(entry.component, component)) out.push(entry);
    }
    return out.reverse();
  }

  /** Stops listening to the engine. */
  close(): void {
    for (const u of this.unsubscribe) u();
    this.patchListeners.clear();
    this.logListeners.clear();
  }

  /**
   * Runs `fn` (which applies a client's delta) so that the change batch it
   * causes names `ack`: the client then knows its change is in that batch.
   */
  withAck<T>(ack: string | undefined, fn: () => T): T {
    this.ack = ack;
    try {
      return fn();
    } finally {
      this.ack = undefined;
    }
  }

  private onPatch(ops: PatchOp[]): void {
    const message: LiveMessage = this.ack ? { type: "patch", seq: ++this.seq, ops, ack: this.ack } : { type: "patch", seq: ++this.seq, ops };
    if (this.patchListeners.size === 0) return;
    const json = JSON.stringify(message);
    for (const l of this.patchListeners) l(message, json);
  }

  private onLog(line: LogLine): void {
    const log: LogEntry = { seq: ++this.logSeq, component: line.work, stream: line.stream, line: line.line, time: line.time };
    this.logs.push(log);
    if (this.logs.length > this.maxLogs) this.logs.splice(0, this.logs.length - this.maxLogs);
    if (this.logListeners.size === 0) return;
    const message: LiveMessage = { type: "log", log };
    const json = JSON.stringify(message);
    for (const l of this.logListeners) l(message, json);
  }
}

/** True when `name` is `component` or below it. */
export function matches(name: string, component: string | undefined): boolean {
  return !component || name === component || name.startsWith(component + ".");
}
