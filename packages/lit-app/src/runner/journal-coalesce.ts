/**
 * Shrinks a batch of journal records before it is written: a `replace` of a
 * path that a later `replace` in the batch overwrites is left out, unless an
 * operation between them touches the same containers (it could move what the
 * path points at, e.g. an insert into an array on the way). A field that
 * changes a thousand times between two writes is then written once.
 */
import type { JournalRecord, PatchOp } from "@lit-app/core/internal";

/** How many later `replace` paths are remembered while walking back: the batch's busiest fields. */
const REMEMBERED = 64;

function conflicts(op: PatchOp, path: string): boolean {
  const parent = op.path.slice(0, op.path.lastIndexOf("/"));
  return path === parent || path.startsWith(`${parent}/`) || op.path.startsWith(`${path}/`);
}

/** The records of `batch` with overwritten replaces left out; applying either gives the same state. */
export function coalesce(batch: readonly JournalRecord[]): JournalRecord[] {
  let replaces = 0;
  for (const r of batch) if (r.t === "doc") for (const op of r.ops) if (op.op === "replace") replaces++;
  if (replaces < 2) return batch as JournalRecord[];
  const later: string[] = [];
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
      if (op.op === "replace" && later.includes(op.path)) continue;
      for (let k = later.length - 1; k >= 0; k--) if (later[k] !== op.path && conflicts(op, later[k]!)) later.splice(k, 1);
      if (op.op === "replace") {
        if (later.length >= REMEMBERED) later.shift();
        later.push(op.path);
      } else {
        // An add or remove of the path itself: what was replaced before it is no longer what it points at.
        const at = later.indexOf(op.path);
        if (at >= 0) later.splice(at, 1);
      }
      kept.push(op);
    }
    if (kept.length) out.push({ t: "doc", ops: kept.reverse() });
  }
  return out.reverse();
}
