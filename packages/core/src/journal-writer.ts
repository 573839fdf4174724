/**
 * The engine's side of a {@link StateJournal}: gathers the changes of one
 * pass (or one event) as {@link JournalRecord}s and appends them in one go;
 * a call's result makes the journal flush, and the whole durable state is
 * written again when the journal says a snapshot is due.
 */
import type { ComponentCore } from "./component.ts";
import type { DurableState, JournalRecord } from "./durable-state.ts";
import type { FlowCore } from "./flow-core.ts";
import type { StateJournal } from "./ports.ts";
import type { PatchOp, StateDocument } from "./state-document.ts";
import type { JsonValue } from "./state-value.ts";
import type { CallRecord, WorkCore } from "./work-core.ts";

/** Gathers and writes an engine's journal records. */
export class JournalWriter {
  /** Off until the state the app starts from was written whole. */
  active = false;
  private queue: JournalRecord[] = [];
  private urgent = false;

  constructor(readonly journal: StateJournal) {}

  component(c: ComponentCore, dynamic: boolean): void {
    if (!this.active || (c.kind !== "flow" && c.kind !== "work")) return;
    this.queue.push({ t: "component", name: c.name, kind: c.kind, className: c.className, dynamic });
  }

  call(work: WorkCore, rec: CallRecord): void {
    if (!this.active) return;
    const record: JournalRecord = { t: "call", work: work.name, hash: rec.hash, id: rec.id, stage: rec.stage };
    if (rec.id === work.latestCallId) record.latest = true;
    if (rec.stage === "succeeded") record.successes = work.numSuccesses;
    // A result must not be lost: the call would run again after a resume.
    if (rec.stage === "succeeded" || rec.stage === "failed") this.urgent = true;
    this.queue.push(record);
  }

  handle(work: string, handle: JsonValue): void {
    if (this.active) this.queue.push({ t: "handle", work, handle });
  }

  schedule(flow: ComponentCore, key: string, next: number): void {
    if (this.active) this.queue.push({ t: "schedule", flow: flow.name, key, next });
  }

  /** Appends what was gathered and the document's `ops`; snapshots when due. */
  write(ops: readonly PatchOp[], state: () => DurableState): void {
    if (!this.active) return;
    if (ops.length) this.queue.push({ t: "doc", ops: ops as PatchOp[] });
    if (this.queue.length === 0) return;
    const records = this.queue;
    this.queue = [];
    this.journal.append(records);
    if (this.urgent) {
      this.urgent = false;
      this.journal.flush();
    }
    if (this.journal.snapshotDue()) this.journal.snapshot(state());
  }

  /** Writes the state the app starts from, whole, and starts recording its changes. */
  begin(state: DurableState): void {
    this.queue = [];
    this.journal.snapshot(state);
    this.active = true;
  }

  close(): void {
    if (!this.active) return;
    this.active = false;
    this.journal.close();
  }
}

/** The whole durable state of an app now. */
export function durableState(
  doc: StateDocument,
  components: Iterable<ComponentCore>,
  dynamic: (c: ComponentCore) => boolean,
  handles: ReadonlyMap<string, JsonValue>,
): DurableState {
  const state: DurableState = { version: 1, doc, components: {}, works: {}, schedules: {} };
  for (const c of components) {
    if (c.kind !== "flow" && c.kind !== "work") continue;
    state.components[c.name] = { kind: c.kind, className: c.className, dynamic: dynamic(c) };
    if (c.kind === "work") {
      const work = c as WorkCore;
      const calls: DurableState["works"][string]["calls"] = {};
      for (const [hash, rec] of work.calls) calls[hash] = { id: rec.id, stage: rec.stage };
      const handle = handles.get(c.name);
      state.works[c.name] = {
        successes: work.numSuccesses,
        calls,
        ...(work.latestCallId ? { latest: work.latestCallId } : {}),
        ...(handle !== undefined ? { handle } : {}),
      };
    } else {
      const schedules = (c as FlowCore).schedules;
      if (schedules.size) state.schedules[c.name] = Object.fromEntries([...schedules].map(([key, s]) => [key, s.next]));
    }
  }
  return state;
}
