/**
 * Shrinks a batch of journal records before it is written: a `replace` of a
 * path that a later `replace` in the batch overwrites is left out, unless an
 * operation between them could change what the path points at or reads
 * inside it: a change under the path, or an insert or removal in an array on
 * its way (which moves the index the path names). A field that changes a
 * thousand times between two writes is then written once.
 */
import type { JournalRecord, PatchOp } from "@lit-app/core/internal";

/** How many later `replace` paths are remembered while walking back: the batch's busiest fields. */
const REMEMBERED = 256;
const INDEX = /^(?:\d+|-)$/;

/**
 * Where the field's own pointer ends in `/components/<name>/vars/<field>/...`: the paths above a field
 * (`/components/<name>`, its `vars`) are never replaced, so none of them is remembered. -1 for a shorter path.
 */
function fieldEnd(path: string): number {
  let at = 0;
  for (let n = 0; n < 4; n++) {
    at = path.indexOf("/", at + 1);
    if (at < 0) return -1;
  }
  return at;
}

/** Forgets the remembered paths above `path` (a change under them must stay before their later replace). */
function forgetAncestors(later: Set<string>, path: string): void {
  const floor = fieldEnd(path);
  if (floor < 0) return;
  for (let i = path.lastIndexOf("/"); i >= floor; i = path.lastIndexOf("/", i - 1)) later.delete(path.slice(0, i));
}

/** An add or remove walking back: what it may move or read must not lose its earlier replaces. */
function forgetMoved(later: Set<string>, op: PatchOp): void {
  later.delete(op.path);
  forgetAncestors(later, op.path);
  const cut = op.path.lastIndexOf("/");
  // An insert or removal at an array index moves its later siblings and what is under them.
  if (!INDEX.test(op.path.slice(cut + 1))) return;
  const parent = op.path.slice(0, cut);
  for (const p of later) if (p.startsWith(`${parent}/`)) later.delete(p);
}

/** The records of `batch` with overwritten replaces left out; applying either gives the same state. */
export function coalesce(batch: readonly JournalRecord[]): JournalRecord[] {
  let replaces = 0;
  for (const r of batch) if (r.t === "doc") for (const op of r.ops) if (op.op === "replace") replaces++;
  if (replaces < 2) return batch as JournalRecord[];
  const later = new Set<string>();
  const out: JournalRecord[] = [];
  for (let i = batch.length - 1; i >= 0; i--) {
    const record = batch[i]!;
    if (record.t !== "doc") {
      out.push(record);
      continue;
    }
    const kept: PatchOp[] = [];
    for (let j = record.ops.length - 1; j >= 0; j--) {
      const op = record.ops[j]!;
      if (op.op === "replace") {
        if (later.has(op.path)) continue;
        forgetAncestors(later, op.path);
        if (later.size >= REMEMBERED) later.delete(later.values().next().value!);
        later.add(op.path);
      } else {
        forgetMoved(later, op);
      }
      kept.push(op);
    }
    if (kept.length) out.push({ t: "doc", ops: kept.reverse() });
  }
  return out.reverse();
}
