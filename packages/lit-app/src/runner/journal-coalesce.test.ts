/** Coalescing a batch of journal records never changes the state they make. */
import { describe, expect, it } from "vitest";
import { emptyDurableState, replayJournal, type JournalRecord, type PatchOp } from "@lit-app/core/internal";
import { JournalBatch } from "./journal-coalesce.ts";

function coalesce(records: JournalRecord[]): JournalRecord[] {
  const batch = new JournalBatch();
  for (const r of records) batch.push(r);
  return batch.take();
}

/** A seeded random number generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function start(): ReturnType<typeof emptyDurableState> {
  const s = emptyDurableState();
  s.doc.components.root = { kind: "flow", vars: { list: [0, 1, 2], obj: { a: 1, b: { c: 2 } }, n: 0 } };
  s.doc.components["root.w"] = { kind: "work", vars: { n: 0 } };
  return s;
}

/** Random valid operations on the root's vars: replaces (often of the same paths), inserts and removals in a list, nested changes. */
function batch(rand: () => number, length: number): JournalRecord[] {
  const state = start();
  const records: JournalRecord[] = [];
  const vars = () => state.doc.components.root!.vars as { list: number[]; obj: Record<string, unknown>; n: number };
  for (let i = 0; i < length; i++) {
    const v = vars();
    const r = rand();
    const base = "/components/root/vars";
    let op: PatchOp;
    if (r < 0.2) op = { op: "replace", path: `${base}/n`, value: i };
    else if (r < 0.3) {
      const w = state.doc.components["root.w"];
      const k = rand();
      if (!w) op = { op: "add", path: "/components/root.w", value: { kind: "work", vars: { n: -i } } };
      else if (k < 0.1) op = { op: "remove", path: "/components/root.w" };
      else if (k < 0.25) op = { op: "replace", path: "/components/root.w/status", value: { stage: "running", timestamp: i } };
      else op = { op: "replace", path: "/components/root.w/vars/n", value: i };
    }
    else if (r < 0.5 && v.list.length) op = { op: "replace", path: `${base}/list/${Math.floor(rand() * v.list.length)}`, value: i };
    else if (r < 0.6) op = { op: "add", path: `${base}/list/${Math.floor(rand() * (v.list.length + 1))}`, value: i };
    else if (r < 0.7 && v.list.length) op = { op: "remove", path: `${base}/list/${Math.floor(rand() * v.list.length)}` };
    else if (r < 0.8) op = { op: "replace", path: `${base}/obj`, value: { a: i, b: { c: i } } };
    else if (r < 0.85) op = { op: "replace", path: `${base}/obj/a`, value: i };
    else if (r < 0.88) op = { op: "replace", path: `${base}/obj/b`, value: { c: i } };
    else if (r < 0.91 && typeof (v.obj.b as { c?: unknown } | undefined)?.c === "number") op = { op: "replace", path: `${base}/obj/b/c`, value: i };
    else if (r < 0.92) op = { op: "add", path: `${base}/obj/k${Math.floor(rand() * 3)}`, value: i };
    else if (r < 0.94 && Object.keys(v.obj).some((k) => k.startsWith("k"))) op = { op: "replace", path: `${base}/obj/${Object.keys(v.obj).find((k) => k.startsWith("k"))}`, value: i };
    else if (r < 0.97 && Object.keys(v.obj).some((k) => k.startsWith("k"))) op = { op: "remove", path: `${base}/obj/${Object.keys(v.obj).find((k) => k.startsWith("k"))}` };
    else op = { op: "replace", path: `${base}/list`, value: [i, i + 1] };
    const record: JournalRecord = { t: "doc", ops: [op] };
    replayJournal(state, [structuredClone(record)]);
    records.push(record);
  }
  return records;
}

describe("coalescing journal records", () => {
  it("gives the same state as the records it shrinks, over many random batches", () => {
    const rand = random(11);
    let dropped = 0;
    for (let round = 0; round < 2000; round++) {
      const records = batch(rand, 1 + Math.floor(rand() * 40));
      const shrunk = coalesce(records);
      dropped += records.length - shrunk.reduce((n, r) => n + (r.t === "doc" ? r.ops.length : 1), 0);
      // Replayed values become part of the state: each replay gets its own copy.
      expect(replayJournal(start(), structuredClone(shrunk)).doc, `round ${round}`).toEqual(replayJournal(start(), structuredClone(records)).doc);
    }
    expect(dropped).toBeGreaterThan(1000);
  });

  it("keeps a replace apart from the same path's replace after the path was removed and added again", () => {
    const at = "/components/root/vars/obj/k";
    const records: JournalRecord[] = [
      { t: "doc", ops: [{ op: "add", path: at, value: 1 }] },
      { t: "doc", ops: [{ op: "replace", path: at, value: 2 }] },
      { t: "doc", ops: [{ op: "remove", path: at }] },
      { t: "doc", ops: [{ op: "add", path: at, value: 3 }] },
      { t: "doc", ops: [{ op: "replace", path: at, value: 4 }] },
    ];
    const vars = (rs: JournalRecord[]) => replayJournal(start(), structuredClone(rs)).doc.components.root!.vars;
    expect(vars(coalesce(records))).toEqual(vars(records));
    expect((vars(records).obj as Record<string, unknown>).k).toBe(4);
  });

  it("writes a field changed many times once", () => {
    const records: JournalRecord[] = Array.from({ length: 1000 }, (_, i) => ({ t: "doc", ops: [{ op: "replace", path: "/components/root/vars/n", value: i }] }));
    expect(coalesce(records)).toEqual([{ t: "doc", ops: [{ op: "replace", path: "/components/root/vars/n", value: 999 }] }]);
  });
});
