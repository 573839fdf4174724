/**
 * The records appended to a journal since its last write, kept small as they
 * come: a `replace` of a path that is already replaced in the batch, with
 * nothing in between that could change what the path points at, overwrites
 * the earlier one's value instead of being added. "Something in between" is an
 * operation above the path (it replaces or removes what holds it), under it
 * (it reads the value being replaced), or an insert or removal at an array
 * index on its way (it moves the index the path names). A field that changes a
 * thousand times between two writes is written once, and the values it had
 * meanwhile are not kept.
 */
import type { JournalRecord, PatchOp } from "@lit-app/core/internal";

const INDEX = /^(?:\d+|-)$/;

/**
 * Where the field's own pointer ends in `/components/<name>/vars/<field>/...`; -1 for a path no deeper
 * than a field. The paths above a field (`/components/<name>`, its `vars`) are never replaced.
 */
function fieldEnd(path: string): number {
  let at = 0;
  for (let n = 0; n < 4; n++) {
    at = path.indexOf("/", at + 1);
    if (at < 0) return -1;
  }
  return at;
}

/** How many keys a pointer has. */
function segments(path: string): number {
  let n = 0;
  for (let i = path.indexOf("/"); i >= 0; i = path.indexOf("/", i + 1)) n++;
  return n;
}

/** Operations and other records since the last write, in order. */
export class JournalBatch {
  private items: (JournalRecord | PatchOp)[] = [];
  /** The replaces a later replace of the same path may still overwrite, by path. */
  private open = new Map<string, PatchOp>();
  /** How many of {@link open} are below a field (inside a field's value). */
  private deep = 0;

  get size(): number {
    return this.items.length;
  }

  push(record: JournalRecord): void {
    if (record.t !== "doc") {
      this.items.push(record);
      return;
    }
    for (const op of record.ops) this.pushOp(op);
  }

  /** The batch's records, in order; the batch is empty after. */
  take(): JournalRecord[] {
    const out: JournalRecord[] = [];
    let ops: PatchOp[] | undefined;
    for (const item of this.items) {
      if ("t" in item) {
        ops = undefined;
        out.push(item);
      } else if (ops) {
        ops.push(item);
      } else {
        ops = [item];
        out.push({ t: "doc", ops });
      }
    }
    this.items = [];
    this.open.clear();
    this.deep = 0;
    return out;
  }

  private pushOp(op: PatchOp): void {
    if (op.op === "replace") {
      const earlier = this.open.get(op.path);
      if (earlier) {
        earlier.value = op.value;
        return;
      }
    }
    this.close(op);
    // Our own copy: the earlier replace's value is overwritten in it, never in the engine's operation.
    const own: PatchOp = op.op === "remove" ? { op: "remove", path: op.path } : { op: op.op, path: op.path, value: op.value! };
    this.items.push(own);
    if (op.op === "replace") {
      this.open.set(op.path, own);
      if (fieldEnd(op.path) >= 0) this.deep++;
    }
  }

  /** Closes the open replaces `op` could change the meaning of (see the file's comment). */
  private close(op: PatchOp): void {
    if (this.open.size === 0) return;
    const path = op.path;
    if (op.op !== "replace") this.forget(path);
    // Replaces above it, inside a field's value: `op` reads or changes what they put.
    const floor = fieldEnd(path);
    if (floor >= 0) for (let i = path.lastIndexOf("/"); i >= floor; i = path.lastIndexOf("/", i - 1)) this.forget(path.slice(0, i));
    // Replaces under it, or moved by it. Only a component (added, removed) holds fields; only a field's value
    // holds deeper paths; a status, a placement or the stage holds nothing that is replaced on its own.
    const depth = segments(path);
    if (depth === 2) this.forgetUnder(`${path}/`);
    else if (depth >= 4 && this.deep > 0) {
      const cut = path.lastIndexOf("/");
      // An insert or removal at an array index (arrays are inside fields) moves its later siblings and what they hold.
      const index = op.op !== "replace" && depth >= 5 && INDEX.test(path.slice(cut + 1));
      this.forgetUnder(index ? path.slice(0, cut + 1) : `${path}/`);
    }
  }

  private forgetUnder(prefix: string): void {
    for (const p of this.open.keys()) if (p.startsWith(prefix)) this.forget(p);
  }

  private forget(path: string): void {
    if (this.open.delete(path) && fieldEnd(path) >= 0) this.deep--;
  }
}
