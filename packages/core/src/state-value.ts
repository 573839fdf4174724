/**
 * What may be state, and how it is copied in. State is JSON data plus a few
 * framework value types (CloudCompute, Path, Drive, Payload) registered here.
 * Everything stored is a private copy, so the state is always a tree.
 */
import { StateValueError } from "./errors.ts";
import { activeWriteGuard } from "./write-guard.ts";

/** JSON data as it is stored in state. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Where a value is being stored, for error messages. */
export interface StateLocation {
  /** The component's dotted name, or its class name before it is attached. */
  component: string;
  /** Field path inside the component, e.g. `["results", "2"]`. */
  path: readonly string[];
  /** The component the value is stored in (or the work a call goes to), when known. */
  owner?: StateOwner;
}

/** A component as state types see it: its kind and dotted name (read when needed; it changes when attached). */
export interface StateOwner {
  readonly kind: string;
  readonly name: string;
}

/** What {@link decodeState} knows about where the values it decodes come from. */
export interface DecodeContext {
  /**
   * Whether a dotted name is a work of this app. When given, a value naming
   * an origin (a Path, a Payload) that is not one is refused.
   */
  isWork?(name: string): boolean;
}

/** A framework class whose instances may be stored in state. */
export interface StateType<T extends object> {
  /** The tag written as `$lit` in serialized state. */
  readonly tag: string;
  readonly type: abstract new (...args: never[]) => T;
  toJSON(value: T): { [key: string]: JsonValue };
  /** @throws a LitError for JSON that does not make a valid value (e.g. an origin `context` says is no work). */
  fromJSON(json: { [key: string]: JsonValue }, context?: DecodeContext): T;
  /** The value to store at `where` (e.g. a Path bound to the work storing it); default: the value itself. */
  adopt?(value: T, where: StateLocation): T;
}

const stateTypes = new Map<string, StateType<object>>();

/**
 * The tag of an escaped plain object: user data that has its own `$lit` key is
 * encoded as `{ "$lit": "Object", "value": { ...its entries } }`, so that no
 * data can pass for a framework value. Only {@link encodeState} writes tags.
 */
export const OBJECT_TAG = "Object";

/** Registers a class whose instances may be stored in state (CloudCompute, Path...). */
export function registerStateType<T extends object>(type: StateType<T>): void {
  if (type.tag === OBJECT_TAG) throw new TypeError(`registerStateType: the tag "${OBJECT_TAG}" is the framework's own (escaped user data); choose another.`);
  stateTypes.set(type.tag, type as unknown as StateType<object>);
}

/** The registered state type of a framework value, or undefined for anything else. */
export function stateTypeOf(value: object): StateType<object> | undefined {
  for (const t of stateTypes.values()) if (value instanceof t.type) return t;
  return undefined;
}

/** Symbol under which a state proxy exposes the object it wraps. */
export const RAW = Symbol.for("lit-app.raw");

/** Returns the plain object behind a state proxy, or the value itself. */
export function unwrap<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    const raw = (value as { [RAW]?: T })[RAW];
    if (raw !== undefined) return raw;
  }
  return value;
}

/** Formats a field path the way a user writes it: `results[2].name` (a JSON Patch append, `/-`, as `[-]`). */
export function formatField(path: readonly string[]): string {
  let out = "";
  for (const key of path) {
    if (/^\d+$/.test(key) || (key === "-" && out)) out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out || "(root)";
}

function describe(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value === "bigint") return "a BigInt";
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "number") return `the number ${value}`;
  if (value === undefined) return "undefined";
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  return `an instance of ${ctor?.name || "an unknown class"}`;
}

function hint(value: unknown): string {
  if (value instanceof Date) return " Store date.toISOString() or date.getTime() instead.";
  if (value instanceof Map) return " Store Object.fromEntries(map) instead.";
  if (value instanceof Set) return " Store [...set] instead.";
  if (typeof value === "bigint") return " Store it as a string instead.";
  if (typeof value === "number") return " Only finite numbers are JSON.";
  return "";
}

function refuse(where: StateLocation, path: readonly string[], why: string, value: unknown): never {
  const field = formatField([...where.path, ...path]);
  throw new StateValueError(
    where.component,
    field,
    `${why}.${hint(value)}`,
    `${where.component}: field "${field}" ${why}, which cannot be state.${hint(value)} ` +
      `State is JSON data (objects, arrays, strings, finite numbers, booleans, null), ` +
      `a Path, a Drive, a Payload or a CloudCompute; keep any other value in a field whose name ` +
      `starts with "_" (it stays in its own process).`,
  );
}

/**
 * Validates `value` as state and returns a private deep copy of it.
 * `undefined` is allowed as a whole field value (the field is absent) but not inside arrays.
 * @throws StateValueError naming the component and the field.
 */
export function toStateValue(value: unknown, where: StateLocation): unknown {
  const seen: object[] = [];
  const path: string[] = [];
  // Inside a handler (see write-guard.ts) the app's limits hold for what it stores.
  const guard = where.owner && where.path.length > 0 ? activeWriteGuard() : undefined;
  const maxLevel = guard ? guard.maxDepth - where.path.length : Infinity;
  const copy = (v: unknown, inArray: boolean): unknown => {
    v = unwrap(v);
    switch (typeof v) {
      case "string":
      case "boolean":
        return v;
      case "number":
        if (!Number.isFinite(v)) refuse(where, path, `holds ${describe(v)}`, v);
        return v;
      case "undefined":
        if (inArray) refuse(where, path, "holds undefined inside an array (use null)", v);
        return undefined;
      case "object":
        break;
      default:
        refuse(where, path, `holds ${describe(v)}`, v);
    }
    if (v === null) return null;
    const obj = v as object;
    if (seen.includes(obj)) refuse(where, path, "refers back to one of its own parents (a cycle)", v);
    if (path.length > maxLevel && (Array.isArray(obj) || isPlain(obj))) guard!.tooDeep(where, path);
    if (Array.isArray(obj)) {
      seen.push(obj);
      const out: unknown[] = new Array(obj.length);
      for (let i = 0; i < obj.length; i++) {
        path.push(String(i));
        if (!(i in obj)) refuse(where, path, "is a hole in a sparse array (use null)", undefined);
        out[i] = copy(obj[i], true);
        path.pop();
      }
      seen.pop();
      return out;
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      const type = stateTypeOf(obj);
      if (type) return type.adopt ? type.adopt(obj, { ...where, path: [...where.path, ...path] }) : obj;
      refuse(where, path, `holds ${describe(obj)}`, obj);
    }
    seen.push(obj);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) {
      path.push(key);
      if (key === "__proto__") refuse(where, path, 'is named "__proto__" (it would change the object\'s prototype)', undefined);
      const item = copy((obj as Record<string, unknown>)[key], false);
      if (item !== undefined) out[key] = item;
      path.pop();
    }
    seen.pop();
    return out;
  };
  const out = copy(value, false);
  if (guard && out !== undefined) guard.admit(where, out);
  return out;
}

function isPlain(obj: object): boolean {
  const proto = Object.getPrototypeOf(obj);
  return proto === Object.prototype || proto === null;
}

/** True when two state values are equal as JSON (framework values compare by their JSON). */
export function stateEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!stateEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ta = stateTypeOf(a);
  if (ta) return ta === stateTypeOf(b) && JSON.stringify(ta.toJSON(a)) === JSON.stringify(ta.toJSON(b));
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!stateEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * Encodes a stored value as plain JSON: framework values as
 * `{ "$lit": tag, ...fields }`, and a plain object that has its own `$lit`
 * key escaped as `{ "$lit": "Object", "value": {...} }` (see {@link OBJECT_TAG}),
 * so that whatever data holds, it decodes as data.
 */
export function encodeState(value: unknown): JsonValue {
  if (value === null || typeof value !== "object") return value as JsonValue;
  if (Array.isArray(value)) return value.map(encodeState);
  const t = stateTypeOf(value);
  if (t) return { $lit: t.tag, ...t.toJSON(value) };
  const out: { [key: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeState(v);
  return Object.prototype.hasOwnProperty.call(value, "$lit") ? { $lit: OBJECT_TAG, value: out } : out;
}

function malformed(why: string): never {
  throw new StateValueError("(state)", "$lit", why, `encoded state ${why}; it was not written by encodeState.`);
}

/**
 * The inverse of {@link encodeState}: revives framework values from their
 * tags and unescapes escaped objects.
 * @throws StateValueError for an unknown or malformed tag; the state type's error for a bad value.
 */
export function decodeState(json: unknown): unknown {
  return decodeStateFrom(json, undefined);
}

/**
 * {@link decodeState} with what is known of where the values come from: with
 * `context.isWork`, a Path or Payload whose origin is no work of the app is refused.
 */
export function decodeStateFrom(json: unknown, context: DecodeContext | undefined): unknown {
  if (json === null || typeof json !== "object") return json;
  if (Array.isArray(json)) return json.map((item) => decodeStateFrom(item, context));
  if (Object.prototype.hasOwnProperty.call(json, "$lit")) {
    const tag = (json as { $lit?: unknown }).$lit;
    if (tag === OBJECT_TAG) {
      const inner = (json as { value?: unknown }).value;
      if (inner === null || typeof inner !== "object" || Array.isArray(inner)) malformed(`holds an escaped object without its "value"`);
      return decodeEntries(inner, context);
    }
    if (typeof tag !== "string") malformed(`holds a "$lit" tag that is not a string`);
    const t = stateTypes.get(tag);
    if (!t) {
      const why = `holds a value of unknown type "${tag}"`;
      throw new StateValueError("(state)", "$lit", why, `${why}: is the package that defines it loaded?`);
    }
    const { $lit: _ignored, ...rest } = json as { [key: string]: JsonValue };
    return t.fromJSON(rest, context);
  }
  return decodeEntries(json, context);
}

function decodeEntries(json: object, context: DecodeContext | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    if (k === "__proto__") malformed('holds a key named "__proto__"');
    out[k] = decodeStateFrom(v, context);
  }
  return out;
}
