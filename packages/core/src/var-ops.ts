/**
 * Changes to one component's public state, as small operations with JSON
 * Pointer-like key paths relative to the component's fields. A work's changes
 * travel to the flow as these, and the flow's to the work; applying one costs
 * what the operation touches, never the size of the whole state.
 */
import { PatchError } from "./errors.ts";
import { decodeStateFrom, encodeState, type DecodeContext, type JsonValue } from "./state-value.ts";

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

/** One applied operation, with what it replaced: enough to undo it without encoding anything. */
export interface AppliedChange {
  /** The operation's path, an array's "-" resolved to the index. */
  path: string[];
  op: VarOp["op"];
  /** Whether a value was there before (always for replace and remove). */
  had: boolean;
  /** The raw value replaced or removed (now out of the state), when `had`. */
  old: unknown;
}

/**
 * Applies one operation to a component's raw fields.
 * @param value the raw value to put in place (already decoded); by default `op.value` decoded.
 * @returns what it changed, for {@link undoChange}.
 * @throws PatchError when the path does not fit the state; nothing is changed then.
 */
export function applyChange(
  fields: Record<string, unknown>,
  op: VarOp,
  where: string,
  context?: DecodeContext,
  value?: { raw: unknown },
): AppliedChange {
  if (op.path.length === 0) throw new PatchError(`${where}: an operation must name a field, not the whole component`);
  if (op.path.includes("__proto__")) throw new PatchError(`${where}: "/${op.path.join("/")}": "__proto__" cannot be a key in state`);
  const parent = resolveParent(fields, op.path, where);
  const key = op.path[op.path.length - 1] as string;
  const raw = () => (value ? value.raw : decodeStateFrom(op.value ?? null, context));
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, op.op === "add", where);
    const path = [...op.path.slice(0, -1), String(i)];
    if (op.op === "add") {
      parent.splice(i, 0, raw());
      return { path, op: op.op, had: false, old: undefined };
    }
    const old = parent[i];
    if (op.op === "replace") parent[i] = raw();
    else parent.splice(i, 1);
    return { path, op: op.op, had: true, old };
  }
  const had = Object.prototype.hasOwnProperty.call(parent, key) && parent[key] !== undefined;
  if ((op.op === "remove" || op.op === "replace") && !had) {
    throw new PatchError(`${where}: there is no value at "/${op.path.join("/")}" to ${op.op}`);
  }
  const old = had ? parent[key] : undefined;
  if (op.op === "remove") delete parent[key];
  else parent[key] = raw();
  return { path: op.path, op: op.op, had, old };
}

/** Undoes an {@link AppliedChange}; changes made after it must be undone first. */
export function undoChange(fields: Record<string, unknown>, change: AppliedChange): void {
  const parent = resolveParent(fields, change.path, "undo");
  const key = change.path[change.path.length - 1] as string;
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (change.op === "add") parent.splice(i, 1);
    else if (change.op === "replace") parent[i] = change.old;
    else parent.splice(i, 0, change.old);
    return;
  }
  if (change.had) parent[key] = change.old;
  else delete parent[key];
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
  context?: DecodeContext,
): VarOp | undefined {
  const change = applyChange(fields, op, where, context);
  if (!wantInverse) return undefined;
  if (change.op === "add" && !change.had) return { op: "remove", path: change.path };
  if (change.op === "remove") return { op: "add", path: change.path, value: encodeState(change.old) };
  return { op: "replace", path: change.path, value: encodeState(change.old) };
}
