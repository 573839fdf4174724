/**
 * The flow's side of a work's event stream over a link that may repeat,
 * lose or outlive messages (a network, a reconnecting agent). Each
 * incarnation of a work (each time its thread or process is started) has an
 * id, and numbers its events 1, 2, 3...; the flow applies each event once,
 * in order, and only those of the incarnation it started.
 */

/** What to do with an incoming event. */
export type EventVerdict =
  /** The next event: apply it. */
  | { kind: "next" }
  /** Already applied (delivered twice): drop it. */
  | { kind: "duplicate" }
  /** From an earlier (or unknown) incarnation of the work: drop it. */
  | { kind: "stale"; incarnation: string }
  /** Events `expected`..`seq - 1` never came: apply it, then resync from a snapshot of the work's state. */
  | { kind: "gap"; expected: number; seq: number };

/** Orders the events of one incarnation of one work. */
export class EventOrder {
  /** The incarnation whose events are applied. */
  readonly incarnation: string;
  private last = 0;

  constructor(incarnation: string) {
    this.incarnation = incarnation;
  }

  /** The sequence number of the last event applied (0 before any): what a reconnecting flow resumes after. */
  get lastSeq(): number {
    return this.last;
  }

  /** Judges the event `seq` of `incarnation`, and counts it as applied unless it is to be dropped. */
  accept(incarnation: string, seq: number): EventVerdict {
    if (incarnation !== this.incarnation) return { kind: "stale", incarnation };
    if (seq <= this.last) return { kind: "duplicate" };
    const expected = this.last + 1;
    this.last = seq;
    return seq === expected ? { kind: "next" } : { kind: "gap", expected, seq };
  }

  /** A snapshot of the work's state as of event `seq` was applied: later events follow it. */
  resynced(seq: number): void {
    if (seq > this.last) this.last = seq;
  }
}

/**
 * A new incarnation id: random, so that an incarnation started by a flow
 * that restarted never takes the id of one from before.
 */
export function newIncarnation(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
