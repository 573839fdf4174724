/**
 * The agent's end of one controller's work channel (one WebSocket): takes
 * the controller's messages, and sends it the messages of the works it has
 * here, each once and in seq order: on `hello` (every (re)connect) those
 * after the seq the controller names, read from the works' journals, then
 * the new ones as they come. The events of one turn of the loop (a call's
 * started, delta and succeeded, read from the work's socket together) leave
 * in one `events` frame: one WebSocket frame and one SSH packet, and one
 * wake-up of the controller, instead of one each.
 *
 * The controller names its works by their dotted names; the session keeps
 * them in the host's table under its app's key (see app-key.ts), so it
 * sees, stops and forgets only its own app's works.
 */
import { splitTableName, tableName } from "../works/app-key.ts";
import type { WorkProcesses } from "../works/work-processes.ts";
import type { WorkToFlow } from "@lit-app/local-workers/protocol";
import { controllerMessage, MAX_BATCH, MAX_MESSAGE_BYTES, parseFrame, type AgentMessage, type ControllerMessage } from "./messages.ts";

/** What a session needs of its WebSocket. */
export interface ChannelSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

/** Options of a {@link ChannelSession}. */
export interface ChannelSessionOptions {
  /** The largest message taken from the controller, bytes. Default {@link MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
  /** The GPUs (UUIDs) a work holds on this host (by its table name), told to the controller when the work is opened. */
  gpusOf?: (work: string) => string[];
  /**
   * The app whose works this controller has (its key, `apps/<name>`; see
   * app-key.ts): works of the same dotted name of other apps are not its own.
   * None: the works opened without an app.
   */
  app?: string;
}

/** The most bytes of events held for one frame; a bigger event goes alone. */
const BATCH_BYTES = 256 * 1024;

interface Subscription {
  incarnation: string;
  /** The last seq sent to the controller. */
  cursor: number;
}

/** One controller's channel. */
export class ChannelSession {
  private readonly table: WorkProcesses;
  private readonly socket: ChannelSocket;
  private readonly maxBytes: number;
  private readonly subs = new Map<string, Subscription>();
  private readonly unsubscribe: () => void;
  private closed = false;
  /** Events of this turn of the loop not yet sent, each `{"work":…,"message":…}`, in order. */
  private readonly batch: string[] = [];
  private batchBytes = 0;

  private readonly gpusOf: (work: string) => string[];
  private readonly app: string | undefined;

  constructor(table: WorkProcesses, socket: ChannelSocket, options: ChannelSessionOptions = {}) {
    this.table = table;
    this.socket = socket;
    this.maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.gpusOf = options.gpusOf ?? (() => []);
    this.app = options.app;
    this.unsubscribe = table.subscribe({
      event: (name, message, raw) => {
        const work = this.own(name);
        if (work !== undefined) this.forward(work, message, raw);
      },
      waiting: (name, incarnation, reason) => {
        const work = this.own(name);
        if (work !== undefined && this.subs.get(work)?.incarnation === incarnation) this.send({ type: "waiting", work, incarnation, reason });
      },
    });
  }

  /** The table's name of this controller's work `work`. */
  private key(work: string): string {
    return tableName(this.app, work);
  }

  /** The dotted name of a table's work when it is this controller's app's, else undefined. */
  private own(name: string): string | undefined {
    const { app, work } = splitTableName(name);
    return app === this.app ? work : undefined;
  }

  /** Handles one text frame from the controller. */
  receive(text: string): void {
    if (this.closed) return;
    const parsed = parseFrame(controllerMessage, text, this.maxBytes);
    if (!parsed.ok) return this.send({ type: "error", message: `[agent] the work channel dropped a message: ${parsed.problem}.` });
    // A call (the hot path) goes to its work at once, without a promise and a turn of the microtask queue.
    if (parsed.message.type === "send") return this.sendToWork(parsed.message);
    void this.handle(parsed.message).catch((error: unknown) =>
      this.send({ type: "error", message: `[agent] ${parsed.message.type} failed: ${error instanceof Error ? error.message : String(error)}` }),
    );
  }

  /** The WebSocket has closed: the works go on, this controller is no longer told of them. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const [work, sub] of this.subs) this.table.attend(this.key(work), sub.incarnation, false);
    this.subs.clear();
  }

  /** This controller has `work` open in `incarnation` (counted by the table: a work nobody has open is ended in time). */
  private subscribe(work: string, incarnation: string, cursor: number): void {
    const previous = this.subs.get(work);
    if (previous) this.table.attend(this.key(work), previous.incarnation, false);
    this.subs.set(work, { incarnation, cursor });
    this.table.attend(this.key(work), incarnation, true);
  }

  private unsubscribeWork(work: string): void {
    const sub = this.subs.get(work);
    if (!sub) return;
    this.subs.delete(work);
    this.table.attend(this.key(work), sub.incarnation, false);
  }

  private async handle(message: ControllerMessage): Promise<void> {
    switch (message.type) {
      case "hello":
        for (const { work, incarnation, after } of message.works) {
          if (!this.table.has(this.key(work), incarnation)) {
            this.unsubscribeWork(work);
            this.send({ type: "unknown", work, incarnation });
            continue;
          }
          this.subscribe(work, incarnation, after);
          this.replay(work, incarnation);
        }
        return;
      case "open": {
        const { work, init } = message;
        const incarnation = init.incarnation;
        const sub = this.subs.get(work);
        const running = this.table.has(this.key(work), incarnation);
        const fresh = sub?.incarnation !== incarnation;
        if (fresh) this.subs.set(work, { incarnation, cursor: 0 });
        const opening = this.table.open({
          name: this.key(work),
          init,
          ...(message.compute ? { compute: message.compute } : {}),
          ...(message.program ? { program: message.program } : {}),
        });
        // The table has the work from the call on: this controller counts itself in (see WorkProcesses.attend).
        if (fresh) {
          if (sub) this.table.attend(this.key(work), sub.incarnation, false);
          this.table.attend(this.key(work), incarnation, true);
        }
        await opening;
        // Opened again (the controller re-sent it after a reconnect): what it has not seen comes from the journal.
        if (running) this.replay(work, incarnation);
        this.send({ type: "opened", work, incarnation, gpus: this.gpusOf(this.key(work)) });
        return;
      }
      case "send":
        return this.sendToWork(message);
      case "stop":
        await this.table.stop(this.key(message.work), message.incarnation, message.graceMs);
        this.send({ type: "closed", work: message.work, incarnation: message.incarnation });
        return;
      case "forget":
        if (this.subs.get(message.work)?.incarnation === message.incarnation) this.unsubscribeWork(message.work);
        await this.table.forget(this.key(message.work), message.incarnation);
        return;
      case "ping":
        this.send({ type: "pong", id: message.id });
        return;
    }
  }

  /** A flow message (run, resync) for a work: `unknown` when the table has no such running work. */
  private sendToWork(message: Extract<ControllerMessage, { type: "send" }>): void {
    if (!this.table.send(this.key(message.work), message.incarnation, message.message)) {
      this.send({ type: "unknown", work: message.work, incarnation: message.incarnation });
    }
  }

  private replay(work: string, incarnation: string): void {
    const sub = this.subs.get(work);
    if (!sub || sub.incarnation !== incarnation) return;
    const reason = this.table.waitingReason(this.key(work), incarnation);
    if (reason !== undefined) this.send({ type: "waiting", work, incarnation, reason });
    for (const message of this.table.replay(this.key(work), incarnation, sub.cursor) ?? []) this.forward(work, message);
  }

  private forward(work: string, message: WorkToFlow, raw?: string): void {
    const sub = this.subs.get(work);
    if (!sub || sub.incarnation !== message.incarnation || message.seq <= sub.cursor) return;
    sub.cursor = message.seq;
    // The work's JSON as it came (a megabyte state is not encoded again).
    const item = `{"work":${JSON.stringify(work)},"message":${raw ?? JSON.stringify(message)}}`;
    if (this.batchBytes + item.length > BATCH_BYTES || this.batch.length >= MAX_BATCH) this.flush();
    if (item.length > BATCH_BYTES) return this.sendText(`{"type":"event",${item.slice(1)}`);
    this.batch.push(item);
    this.batchBytes += item.length;
    if (this.batch.length === 1) process.nextTick(() => this.flush());
  }

  /** Sends the events held for this turn: one alone as an `event`, more as one `events` frame. */
  private flush(): void {
    if (this.batch.length === 0) return;
    const text = this.batch.length === 1 ? `{"type":"event",${this.batch[0]!.slice(1)}` : `{"type":"events","events":[${this.batch.join(",")}]}`;
    this.batch.length = 0;
    this.batchBytes = 0;
    this.sendText(text);
  }

  private send(message: AgentMessage): void {
    this.flush(); // The events before it, first: the controller sees the frames in the order they were made.
    this.sendText(JSON.stringify(message));
  }

  private sendText(text: string): void {
    if (this.closed) return;
    try {
      this.socket.send(text);
    } catch {
      // The socket is closing: the controller resumes from its last seq when it reconnects.
    }
  }
}
