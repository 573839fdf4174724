/**
 * What a component tree needs from whatever runs it: the app engine on the
 * flow's side, or a work loader inside a worker thread or a work process.
 */
import type { ComponentCore } from "./component.ts";
import type { JsonValue } from "./state-value.ts";
import type { VarOp } from "./var-ops.ts";
import type { WorkCore } from "./work-core.ts";

/** The context a component tree runs in. */
export interface ComponentContext {
  /** A component's public state changed. */
  record(component: ComponentCore, op: VarOp): void;
  /** A subtree was attached under a loaded component (a dynamic child). */
  attached(component: ComponentCore): void;
  /** A subtree was detached; its works are to be stopped. */
  detached(component: ComponentCore): void;
  /** A flow called `work.run(...)` and the call is to be sent. */
  callWork(work: WorkCore, call: { id: string; hash: string; args: JsonValue[] }): void;
  /** A flow called `work.stop()`. */
  stopWork(work: WorkCore): void;
  /** A work's status changed. */
  statusChanged(work: WorkCore): void;
  /** Counts flow passes; schedules use it to fire once per pass. */
  readonly pass: number;
  /** The context's current time, in epoch milliseconds. */
  now(): number;
  /** Asks for a flow pass at `time` (epoch milliseconds) or soon after. */
  wakeAt(time: number): void;
  /** A flow's `schedule()` call site (its `key`) will next fire at `next` (epoch ms): for the app's journal (optional). */
  scheduleChanged?(flow: ComponentCore, key: string, next: number): void;
  /** Something about a component the user should know, for the app's log (optional). */
  warn?(source: string, message: string): void;
  /** A flow called `stop()` (`failed: false`) or `fail()` (`failed: true`). */
  end(failed: boolean, message: string, flow: string): void;
}
