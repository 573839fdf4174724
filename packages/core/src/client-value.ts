/**
 * Values that come from clients (the `value` of a JSON Patch operation) are
 * data. They are read in the state document's encoding: an escaped object
 * (`{ "$lit": "Object", "value": {...} }`, how the document shows data that
 * has its own `$lit` key) is unescaped, and any other object with a `$lit`
 * key is kept as the plain object it is: a client never makes a Path, a
 * Drive, a Payload or a CloudCompute.
 */
import { StateLimitError } from "./errors.ts";
import { formatField, OBJECT_TAG, toStateValue, type StateLocation } from "./state-value.ts";

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The error for a value nested past `maxDepth` levels below a component's field. */
export function tooDeep(where: StateLocation, maxDepth: number, at?: string): StateLimitError {
  const field = formatField(where.path);
  return new StateLimitError(
    "depth",
    `${at ? `${at}: ` : ""}${where.component}: field "${field}" would hold a value nested more than ${maxDepth} levels deep (maxDepth). ` +
      `Flatten the value, or raise the app's limits.maxDepth.`,
    { component: where.component, field },
  );
}

/**
 * Unescapes a client's value, refusing nesting past `maxDepth` before looking
 * further (so a very deep value costs no stack). Returns `value` itself when
 * nothing in it was escaped.
 */
function unescape(value: unknown, level: number, limit: number, fail: () => never): unknown {
  if (value === null || typeof value !== "object") return value;
  if (level >= limit) fail();
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = unescape(value[i], level + 1, limit, fail);
      if (item !== value[i]) (out ??= value.slice())[i] = item;
    }
    return out ?? value;
  }
  if (!isPlain(value)) return value;
  const obj = value as Record<string, unknown>;
  const inner = obj.value;
  const escaped =
    Object.prototype.hasOwnProperty.call(obj, "$lit") && obj.$lit === OBJECT_TAG && Object.keys(obj).length === 2 &&
    inner !== null && typeof inner === "object" && !Array.isArray(inner) && isPlain(inner);
  const source = escaped ? (inner as Record<string, unknown>) : obj;
  let out: Record<string, unknown> | undefined = escaped ? {} : undefined;
  for (const key of Object.keys(source)) {
    const item = unescape(source[key], level + 1, limit, fail);
    if (out) out[key] = item;
    else if (item !== source[key]) {
      out = { ...source };
      out[key] = item;
    }
  }
  return out ?? value;
}

/**
 * Turns a client's value into a value to store at `where`: unescaped,
 * checked as state, privately copied.
 * @param maxDepth the app's limit, counted from the component's field.
 * @throws StateLimitError for a value nested too deep; StateValueError for one that cannot be state.
 */
export function clientValue(value: unknown, where: StateLocation, maxDepth: number, at?: string): unknown {
  const limit = maxDepth - (where.path.length - 1);
  const plain = unescape(value, 0, limit, () => {
    throw tooDeep(where, maxDepth, at);
  });
  return toStateValue(plain, where);
}
