/**
 * Changes to one component's public state, as small operations with JSON
 * Pointer-like key paths relative to the component's fields. A work's changes
 * travel to the flow as these, and the flow's to the work; applying one costs
 * what the operation touches, never the size of the whole state.
 */
import { PatchError } from "./errors.ts";
import { decodeState, encodeState, type JsonValue } from "./state-value.ts";

/** One change to a component's fields. `value` is encoded with `encodeState`. */
export interface VarOp {
  op: "add" | "replace" | "remove";
  /** Keys from the component's fields down to the changed value; never empty. */
  path: string[];
  value?: JsonValue;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === "object" && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype);
}

function arrayIndex(arr: unknown[], key: string, forAdd: boolean, where: string): number {
  if (forAdd && key === "-") return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new PatchError(`${where}: "${key}" is not an array index`);
  const i = Number(key);
  const max = forAdd ? arr.length : arr.length - 1;
  if (i > max) throw new PatchError(`${where}: index ${i} is out of range (array length ${arr.length})`);
  return i;
}

/** Finds the container that holds the last key of `path`. */
export function resolveParent(fields: Record<string, unknown>, path: readonly string[], where: string): Container {
  let node: unknown = fields;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next: unknown = Array.isArray(node)
      ? node[arrayIndex(node, key, false, where)]
      : (node as Record<string, unknown>)[key];
    if (!isContainer(next)) throw new PatchError(`${where}: "/${path.slice(0, i + 1).join("/")}" is not an object or array`);
    node = next;
  }
  return node as Container;
}

/** Reads the value at `path`, or throws a {@link PatchError} naming it. */
export function readAt(fields: Record<string, unknown>, path: readonly string[], where: string): unknown {
  if (path.length === 0) return fields;
  const parent = resolveParent(fields, path, where);
  const key = path[path.length - 1] as string;
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, false, where)];
  if (!Object.prototype.hasOwnProperty.call(parent, key) || parent[key] === undefined) {
    throw new PatchError(`${where}: there is no value at "/${path.join("/")}"`);
  }
  return parent[key];
}

/**
 * Applies one operation to a component's raw fields.
 * @returns the operation that undoes it when `wantInverse` is set.
 * @throws PatchError when the path does not fit the state; nothing is changed then.
 */
export function applyVarOp(
  fields: Record<string, unknown>,
  op: VarOp,
  where: string,
  wantInverse = false,
): VarOp | undefined {
  if (op.path.length === 0) throw new PatchError(`${where}: an operation must name a field, not the whole component`);
  if (op.path.includes("__proto__")) throw new PatchError(`${where}: "/${op.path.join("/")}": "__proto__" cannot be a key in state`);
  const parent = resolveParent(fields, op.path, where);
  const key = op.path[op.path.length - 1] as string;
  let inverse: VarOp | undefined;
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, op.op === "add", where);
    const path = [...op.path.slice(0, -1), String(i)];
    if (op.op === "add") {
      if (wantInverse) inverse = { op: "remove", path };
      parent.splice(i, 0, decodeState(op.value ?? null));
    } else if (op.op === "replace") {
      if (wantInverse) inverse = { op: "replace", path, value: encodeState(parent[i]) };
      parent[i] = decodeState(op.value ?? null);
    } else {
      if (wantInverse) inverse = { op: "add", path, value: encodeState(parent[i]) };
      parent.splice(i, 1);
    }
    return inverse;
  }
  const had = Object.prototype.hasOwnProperty.call(parent, key) && parent[key] !== undefined;
  if (op.op === "remove" || op.op === "replace") {
    if (!had) throw new PatchError(`${where}: there is no value at "/${op.path.join("/")}" to ${op.op}`);
  }
  if (wantInverse) {
    inverse = had ? { op: "replace", path: op.path, value: encodeState(parent[key]) } : { op: "remove", path: op.path };
    if (op.op === "remove") inverse = { op: "add", path: op.path, value: encodeState(parent[key]) };
  }
  if (op.op === "remove") delete parent[key];
  else parent[key] = decodeState(op.value ?? null);
  return inverse;
}
