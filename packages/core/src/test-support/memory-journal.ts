/** A journal kept in memory as JSON text, as a file journal keeps it: for tests of resuming. */
import { replayJournal, type DurableState, type JournalRecord } from "../durable-state.ts";
import type { StateJournal } from "../ports.ts";

/** Keeps the snapshot and the appended records as JSON, so nothing is shared with the live state. */
export class MemoryJournal implements StateJournal {
  snapshotText: string | undefined;
  lines: string[] = [];
  flushes = 0;
  snapshots = 0;
  closed = false;

  load(): DurableState | undefined {
    if (this.snapshotText === undefined) return undefined;
    const base = JSON.parse(this.snapshotText) as DurableState;
    return replayJournal(base, this.lines.map((l) => JSON.parse(l) as JournalRecord));
  }
  append(records: readonly JournalRecord[]): void {
    for (const r of records) this.lines.push(JSON.stringify(r));
  }
  flush(): void {
    this.flushes++;
  }
  snapshotDue(): boolean {
    return this.lines.length > 1000;
  }
  snapshot(state: DurableState): void {
    this.snapshotText = JSON.stringify(state);
    this.lines = [];
    this.snapshots++;
  }
  close(): void {
    this.closed = true;
  }
  /** What a process that died now would leave behind. */
  crashCopy(): MemoryJournal {
    const copy = new MemoryJournal();
    copy.snapshotText = this.snapshotText;
    copy.lines = [...this.lines];
    return copy;
  }
}
