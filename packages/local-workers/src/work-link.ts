/**
 * The flow's side of one incarnation of one work, over a {@link WorkChannel}:
 * sends the flow's messages, parses every message the work sends with the
 * protocol's zod schema, orders them (the core's EventOrder: duplicates and
 * old incarnations dropped, a gap resynced from a snapshot), and turns them
 * into the core's {@link WorkEvent}s. Whatever carries the channel (a worker
 * thread, a child process, a socket), this is the same.
 */
import { EventOrder, type SerializedError, type VarOp, type WorkEvent } from "@lit-app/core/internal";
import type { WorkChannel } from "./channel.ts";
import { WorkProtocolError } from "./errors.ts";
import type { FlowToWork, workToFlow as WorkToFlowSchema, WorkToFlow } from "./protocol.ts";

/** What a link tells its executor, beside the events it emits. */
export interface WorkLinkHooks {
  /** Receives the work's events, in order. */
  emit(event: WorkEvent): void;
  /** The work is built and takes calls (`ready`), or could not be (`initFailed`). */
  initDone(error: SerializedError | undefined): void;
  /** The work's stop hooks have run. */
  stopped(): void;
  /** The work's thread or process is ending by itself. */
  exiting(exit: { code?: number; error?: SerializedError }): void;
}

/** The flow's end of one work's channel. */
export class WorkLink {
  readonly work: string;
  readonly order: EventOrder;
  /** Set once the work is stopping: its output is still shown, its results no longer count. */
  stopping = false;
  private readonly channel: WorkChannel;
  private readonly schema: typeof WorkToFlowSchema;
  private readonly hooks: WorkLinkHooks;

  constructor(work: string, incarnation: string, channel: WorkChannel, schema: typeof WorkToFlowSchema, hooks: WorkLinkHooks) {
    this.work = work;
    this.order = new EventOrder(incarnation);
    this.channel = channel;
    this.schema = schema;
    this.hooks = hooks;
    channel.onMessage((data) => this.received(data));
  }

  /** Sends one message to the work. */
  send(message: FlowToWork): void {
    this.channel.send(message);
  }

  /** Stops listening. */
  close(): void {
    this.channel.close();
  }

  private received(data: unknown): void {
    const parsed = this.schema.safeParse(data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(message)"}: ${i.message}`).join("; ");
      this.protocolError(`${this.work} sent a message that is not part of the work protocol (${describe(data)}): ${issues}.`);
      return;
    }
    const message = parsed.data;
    const verdict = this.order.accept(message.incarnation, message.seq);
    if (verdict.kind === "duplicate" || verdict.kind === "stale") return;
    if (verdict.kind === "gap") {
      this.protocolError(
        `${this.work}: messages ${verdict.expected}..${verdict.seq - 1} of the work never arrived; its state is resynced from a snapshot.`,
      );
      this.send({ type: "resync" });
    }
    this.dispatch(message);
  }

  private dispatch(message: WorkToFlow): void {
    const work = this.work;
    switch (message.type) {
      case "stopped":
        return this.hooks.stopped();
      case "exiting": {
        const { code, error } = message;
        return this.hooks.exiting({ ...(code === undefined ? {} : { code }), ...(error ? { error } : {}) });
      }
      case "ready":
        return this.hooks.initDone(undefined);
      case "initFailed":
        return this.hooks.initDone(message.error);
      case "log":
        return this.hooks.emit({ type: "log", work, stream: message.stream, line: message.line });
    }
    if (this.stopping) return;
    switch (message.type) {
      case "started":
      case "succeeded":
        return this.hooks.emit({ type: message.type, work, callId: message.callId });
      case "failed":
        return this.hooks.emit({ type: "failed", work, callId: message.callId, error: message.error });
      case "delta":
        return this.hooks.emit({ type: "delta", work, ops: message.ops as VarOp[] });
      case "snapshot": {
        this.order.resynced(message.seq);
        const ops = Object.entries(message.state).map(([key, value]) => ({ op: "replace" as const, path: [key], value }));
        if (ops.length) this.hooks.emit({ type: "delta", work, ops: ops as VarOp[] });
        // The runtime applies each stage once: those it has already seen change nothing.
        for (const call of message.calls) {
          this.hooks.emit({ type: "started", work, callId: call.callId });
          if (call.stage === "succeeded") this.hooks.emit({ type: "succeeded", work, callId: call.callId });
          if (call.stage === "failed") {
            const error = call.error ?? { name: "Error", message: "the call failed" };
            this.hooks.emit({ type: "failed", work, callId: call.callId, error });
          }
        }
        return;
      }
    }
  }

  /** Reported on the work's stderr, under its name; the message is dropped and the app goes on. */
  private protocolError(text: string): void {
    const error = new WorkProtocolError(this.work, `${text} The work goes on; if this repeats, report it as a lit-app bug.`);
    this.hooks.emit({ type: "log", work: this.work, stream: "stderr", line: `[lit-app] ${error.name} (${error.code}): ${error.message}` });
  }
}

/** A short description of a message that did not parse. */
function describe(data: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(data) ?? String(data);
  } catch {
    text = String(data);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
