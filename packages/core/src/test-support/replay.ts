/**
 * A minimal RFC 6902 applier (add/remove/replace), written independently of
 * the core, so tests can check that the change feed rebuilds the state
 * document exactly: no change lost, none out of order.
 */
import type { PatchOp } from "../state-document.ts";

type Node = Record<string, unknown> | unknown[];

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function keysOf(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Applies `ops` in order to a deep copy of `doc` and returns the copy. */
export function replay<T>(doc: T, ops: readonly PatchOp[]): T {
  const out = clone(doc) as unknown as Node;
  for (const op of ops) {
    const keys = keysOf(op.path);
    const last = keys.pop();
    if (last === undefined) throw new Error(`replay: cannot ${op.op} the whole document`);
    let node: unknown = out;
    for (const k of keys) {
      node = (node as Record<string, unknown>)[k];
      if (node === null || typeof node !== "object") throw new Error(`replay: ${op.path} has no parent`);
    }
    const parent = node as Node;
    const value = clone(op.value);
    if (Array.isArray(parent)) {
      const i = last === "-" ? parent.length : Number(last);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new Error(`replay: bad index in ${op.path}`);
      if (op.op === "add") parent.splice(i, 0, value);
      else if (op.op === "replace") parent[i] = value;
      else if (op.op === "remove") parent.splice(i, 1);
      else throw new Error(`replay: unexpected op ${op.op}`);
    } else {
      if ((op.op === "replace" || op.op === "remove") && !(last in parent)) {
        throw new Error(`replay: ${op.op} of missing ${op.path}`);
      }
      if (op.op === "remove") delete parent[last];
      else if (op.op === "add" || op.op === "replace") parent[last] = value;
      else throw new Error(`replay: unexpected op ${op.op}`);
    }
  }
  return out as unknown as T;
}
