/**
 * An app's durable state: what a {@link StateJournal} keeps so that the app
 * can resume after its process died. It is the state document (stage, every
 * component's vars and status) plus what the document does not hold: each
 * component's class, each work's calls by argument hash, and each flow's
 * schedules. The engine writes it as {@link JournalRecord}s as it changes and,
 * now and then, whole (a snapshot); {@link replayJournal} folds the records
 * back onto the last snapshot.
 */
import { PatchError } from "./errors.ts";
import { parsePointer } from "./json-pointer.ts";
import type { PatchOp, StateDocument } from "./state-document.ts";
import type { JsonValue } from "./state-value.ts";
import { applyChange } from "./var-ops.ts";

/** The stages a call record can have. */
export type DurableCallStage = "pending" | "running" | "succeeded" | "failed" | "stopped";

/** One component as the journal knows it. */
export interface DurableComponent {
  kind: "flow" | "work";
  className: string;
  /** Created by a flow's run() (not part of the tree the app was built with). */
  dynamic: boolean;
}

/** One call of a work, by the hash of its arguments. */
export interface DurableCall {
  id: string;
  stage: DurableCallStage;
}

/** A work's calls. */
export interface DurableWork {
  /** The id of the call sent last (the work's status is that call's). */
  latest?: string;
  successes: number;
  calls: { [hash: string]: DurableCall };
  /** What the executor needs to re-attach to the work (its last `handle` event). */
  handle?: JsonValue;
}

/** Everything an app needs to resume. */
export interface DurableState {
  version: 1;
  doc: StateDocument;
  components: { [name: string]: DurableComponent };
  works: { [name: string]: DurableWork };
  /** Per flow, per `schedule()` call site (its key), the next firing (epoch ms). */
  schedules: { [flow: string]: { [key: string]: number } };
}

/** One change of the durable state, as the engine appends it. */
export type JournalRecord =
  /** Operations on the state document (the same the app server sends its clients). */
  | { t: "doc"; ops: PatchOp[] }
  /** A component joined the app. */
  | { t: "component"; name: string; kind: "flow" | "work"; className: string; dynamic: boolean }
  /** A call's record changed; `latest` when it is the work's newest call. */
  | { t: "call"; work: string; hash: string; id: string; stage: DurableCallStage; latest?: boolean; successes?: number }
  /** A schedule's next firing. */
  | { t: "schedule"; flow: string; key: string; next: number }
  /** The executor's handle of a work changed (see the `handle` work event). */
  | { t: "handle"; work: string; handle: JsonValue };

/** A durable state with nothing in it. */
export function emptyDurableState(): DurableState {
  return { version: 1, doc: { stage: "not_started", components: {} }, components: {}, works: {}, schedules: {} };
}

/**
 * Folds `records` onto `base` (changed in place; a fresh state when undefined) and returns it.
 * The records' values become part of the state (not copied): give it records of their own, as read from a file.
 * @throws PatchError when a record does not fit the state (a journal that is not this state's).
 */
export function replayJournal(base: DurableState | undefined, records: Iterable<JournalRecord>): DurableState {
  const state = base ?? emptyDurableState();
  for (const record of records) {
    switch (record.t) {
      case "doc":
        for (const op of record.ops) applyDocOp(state, op);
        break;
      case "component":
        state.components[record.name] = { kind: record.kind, className: record.className, dynamic: record.dynamic };
        break;
      case "call": {
        const work = (state.works[record.work] ??= { successes: 0, calls: {} });
        work.calls[record.hash] = { id: record.id, stage: record.stage };
        if (record.latest) work.latest = record.id;
        if (record.successes !== undefined) work.successes = record.successes;
        break;
      }
      case "schedule":
        (state.schedules[record.flow] ??= {})[record.key] = record.next;
        break;
      case "handle":
        (state.works[record.work] ??= { successes: 0, calls: {} }).handle = record.handle;
        break;
    }
  }
  return state;
}

function applyDocOp(state: DurableState, op: PatchOp): void {
  const path = parsePointer(op.path);
  if (path.length === 2 && path[0] === "components" && op.op === "remove") {
    // A component left the app: so did its calls and schedules.
    const name = path[1] as string;
    delete state.components[name];
    delete state.works[name];
    delete state.schedules[name];
  }
  const doc = state.doc as unknown as Record<string, unknown>;
  const where = `the journal's operation ${op.op} ${op.path}`;
  if (op.op !== "add" && op.op !== "replace" && op.op !== "remove") throw new PatchError(`${where}: only add, replace and remove are recorded`);
  try {
    applyChange(doc, { op: op.op, path }, where, undefined, { raw: op.value as JsonValue });
  } catch (error) {
    // A status or placement replaced before it was ever set; a component removed twice.
    if (!(error instanceof PatchError) || op.op === "add") throw error;
    if (op.op === "replace") applyChange(doc, { op: "add", path }, where, undefined, { raw: op.value as JsonValue });
  }
}
