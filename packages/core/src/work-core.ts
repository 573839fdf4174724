/**
 * The flow-side record of a work: its options, its calls and its status, and
 * the rules of `work.run(...)` called from a flow.
 */
import { callHash } from "./call-hash.ts";
import { newIncarnation } from "./event-order.ts";
import { ComponentCore, reservedNames } from "./component.ts";
import type { CloudCompute } from "./compute.ts";
import { AppStateError, CallArgumentError, StateValueError, WorkStoppedError } from "./errors.ts";
import { endsPass, holdBackIfEnded, WaitingForWork } from "./signals.ts";
import { encodeState, toStateValue, type JsonValue, type StateOwner } from "./state-value.ts";
import type { WorkStage, WorkStatus } from "./status.ts";

/** Resolved options of a work. */
export interface ResolvedWorkOptions {
  parallel: boolean;
  cacheCalls: boolean;
  raiseException: boolean;
  startWithFlow: boolean;
  cloudCompute: CloudCompute;
  port: number | undefined;
  /** Unset: the app's choice. */
  isolation: "thread" | "process" | undefined;
}

/** One call of a work, keyed by the hash of its arguments. */
export interface CallRecord {
  /** Unique across restarts of the flow (see {@link newCallId}). */
  id: string;
  hash: string;
  stage: Exclude<WorkStage, "not_started">;
}

/** This flow's boot: random, so that call ids stay unique when the flow restarts (or another flow runs). */
let boot: string | undefined;
let nextCall = 1;

/**
 * A new call id: this boot's random id and a counter, so ids are unique
 * across restarts of the flow and never collide with the calls an agent
 * still holds from an earlier run.
 */
export function newCallId(): string {
  boot ??= newIncarnation();
  return `${boot}.${nextCall++}`;
}

/** Encodes `run()` arguments, refusing anything that cannot cross to a work. */
export function encodeArgs(work: string, args: readonly unknown[], owner?: StateOwner): JsonValue[] {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  const out: JsonValue[] = [];
  for (let i = 0; i < end; i++) {
    try {
      const where = owner ? { component: work, path: [], owner } : { component: work, path: [] };
      out.push(encodeState(toStateValue(args[i] === undefined ? null : args[i], where)));
    } catch (error) {
      if (!(error instanceof StateValueError)) throw error;
      const inner = error.field === "(root)" ? "" : ` (at ${error.field})`;
      throw new CallArgumentError(
        `${work}.run(): argument ${i + 1}${inner} ${error.problem} It cannot be sent to a work: ` +
          `arguments must be JSON data, a Path or a Payload.`,
      );
    }
  }
  return out;
}

/** The framework's record of one work. */
export class WorkCore extends ComponentCore {
  readonly options: ResolvedWorkOptions;
  readonly calls = new Map<string, CallRecord>();
  readonly callsById = new Map<string, CallRecord>();
  /** The id of the call sent last: {@link status} is that call's. */
  latestCallId: string | undefined;
  /** The status of the latest call (or `stopped`): an older call's late result does not change it. */
  status: WorkStatus;
  numSuccesses = 0;
  /** The URL where the work serves HTTP, set by whoever runs it; see {@link url}. */
  servedUrl = "";
  /** Where the work runs, when an executor said so (a host of the user's). */
  placement: { host: string; gpus: string[] } | undefined;
  bindAddress = "127.0.0.1";
  /** The options object the work was constructed with, to rebuild it elsewhere. */
  constructorOptions: unknown;
  private readonly dispatcher: (...args: unknown[]) => void;
  private stoppedCallNoted = false;

  constructor(target: object, className: string, reserved: ReadonlySet<string>, options: ResolvedWorkOptions, now: number) {
    super("work", target, className, reserved);
    this.options = options;
    this.status = { stage: "not_started", timestamp: now };
    this.dispatcher = (...args: unknown[]) => this.dispatch(args);
  }

  /** Where the work serves HTTP: the URL its runner reported, else `http://<host>:<port>` when it has a port, else `""`. */
  get url(): string {
    if (this.servedUrl) return this.servedUrl;
    return this.options.port === undefined ? "" : `http://${this.bindAddress}:${this.options.port}`;
  }

  protected override runForFlow(): unknown {
    return this.dispatcher;
  }

  /**
   * `work.run(...args)` as called by a flow. A stopped work does not run again: on it, a call
   * with new arguments throws WorkStoppedError; a call it had (the flow meets it again as
   * `run()` re-executes) does nothing and does not block, which the app's log says once
   * unless the call had finished and is cached (a no-op on a live work too).
   */
  dispatch(args: unknown[]): void {
    const context = this.context;
    if (!context) {
      throw new AppStateError(
        `${this.name}.run() was called by a flow that is not running in an app. ` +
          `Wrap the root flow in new L.LightningApp(...) and start it (or drive it with lit-app/testing).`,
      );
    }
    // A signal already ended this pass and a catch swallowed it: the flow should not be here yet.
    holdBackIfEnded();
    const encoded = encodeArgs(this.name, args, this);
    const hash = callHash(encoded);
    const rec = this.calls.get(hash);
    if (this.status.stage === "stopped") {
      if (!rec) throw this.stoppedError();
      // A call it had: the flow re-executes from the top and meets it again. A finished, cached call is a
      // no-op on a live work too; any other does nothing now, which the app's log says once.
      if (!(this.options.cacheCalls && (rec.stage === "succeeded" || rec.stage === "failed"))) this.noteStoppedCall();
      return;
    }
    if (!rec) {
      this.send(hash, encoded);
    } else if (rec.stage === "succeeded" || rec.stage === "failed") {
      if (!this.options.cacheCalls) this.send(hash, encoded);
      return;
    }
    if (!this.options.parallel) throw endsPass(new WaitingForWork(this.name));
  }

  private noteStoppedCall(): void {
    if (this.stoppedCallNoted) return;
    this.stoppedCallNoted = true;
    const name = this.name;
    this.context?.warn?.(
      name,
      `${name}.run() does nothing: ${name} was stopped, and a stopped work does not run again. ` +
        `To run it again, put a new ${this.className} in its place; check ${name}.hasStopped before calling run() to silence this.`,
    );
  }

  private stoppedError(): WorkStoppedError {
    const name = this.name;
    return new WorkStoppedError(
      name,
      `${name}.run() was called after ${name}.stop(): a stopped work does not run again. ` +
        `To run it again, put a new ${this.className} in its place (assign it to the same field, or set it in the Dict or List) ` +
        `and call run() on that; or check ${name}.hasStopped before calling run().`,
    );
  }

  private send(hash: string, args: JsonValue[]): void {
    const old = this.calls.get(hash);
    if (old) this.callsById.delete(old.id);
    const rec: CallRecord = { id: newCallId(), hash, stage: "pending" };
    this.calls.set(hash, rec);
    this.callsById.set(rec.id, rec);
    this.latestCallId = rec.id;
    this.setStatus({ stage: "pending", timestamp: this.context!.now() });
    this.context!.callWork(this, { id: rec.id, hash, args });
  }

  /** Sets the status and tells the context. */
  setStatus(status: WorkStatus): void {
    this.status = status;
    this.context?.statusChanged(this);
  }
}

/** Names that work fields may not use. */
export function workReserved(proto: object): ReadonlySet<string> {
  return reservedNames(proto);
}
