/**
 * The size of state values as JSON, measured without encoding them: the
 * length of `JSON.stringify(encodeState(value))`, strings counted without
 * their escapes. A budget stops the walk early, so that finding a value too
 * big costs no more than the budget.
 */
import { encodeState, stateTypeOf } from "./state-value.ts";

/** What {@link measure} found. */
export interface Measured {
  /** The JSON size; when `over` is set, only a lower bound. */
  size: number;
  /** Container nesting: 0 for a scalar, 1 for `[1]`, 2 for `[[1]]`; a lower bound when stopped early. */
  depth: number;
  /** True when the value holds a framework value (Path, Drive, Payload, CloudCompute). */
  framework: boolean;
  /** True when the walk stopped at the budget or the depth limit. */
  over: boolean;
}

/** `{"$lit":"Object","value":}`: what escaping an object with its own `$lit` key adds. */
const ESCAPE = 26;

function scalarSize(value: unknown): number {
  switch (typeof value) {
    case "string":
      return value.length + 2;
    case "number":
      return String(value).length;
    case "boolean":
      return value ? 4 : 5;
    default:
      return 4; // null (undefined entries are not written)
  }
}

/**
 * Measures a value in one walk, without recursion.
 * @param budget stop once the size is past it.
 * @param maxDepth stop once the nesting is past it.
 * @param encoded the value is encoded JSON already (its `$lit` keys are tags, not data to escape).
 */
export function measure(value: unknown, budget = Infinity, maxDepth = Infinity, encoded = false): Measured {
  const out: Measured = { size: 0, depth: 0, framework: false, over: false };
  const stack: unknown[] = [value];
  const levels: number[] = [0];
  while (stack.length > 0) {
    const v = stack.pop();
    const level = levels.pop()!;
    if (v === null || typeof v !== "object") {
      out.size += scalarSize(v);
    } else if (Array.isArray(v)) {
      out.size += v.length === 0 ? 2 : v.length + 1;
      if (level + 1 > out.depth) out.depth = level + 1;
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push(v[i]);
        levels.push(level + 1);
      }
    } else {
      const type = stateTypeOf(v);
      if (type) {
        out.framework = true;
        out.size += JSON.stringify(encodeState(v)).length;
      } else {
        if (level + 1 > out.depth) out.depth = level + 1;
        let n = 0;
        for (const key of Object.keys(v)) {
          const item = (v as Record<string, unknown>)[key];
          if (item === undefined) continue;
          out.size += key.length + 3;
          stack.push(item);
          levels.push(level + 1);
          n++;
          if (key === "$lit" && !encoded) out.size += ESCAPE;
        }
        out.size += n === 0 ? 2 : n + 1;
      }
    }
    if (out.size > budget || out.depth > maxDepth) {
      out.over = true;
      return out;
    }
  }
  return out;
}

/** The JSON size of a stored value. */
export function jsonSize(value: unknown): number {
  return measure(value).size;
}

/** The JSON size of encoded JSON (a VarOp's value). */
export function encodedSize(json: unknown): number {
  return measure(json, Infinity, Infinity, true).size;
}

/** What one entry adds to its container beside its value: `"key":` and a comma, or a comma. */
export function entryOverhead(key: string): number {
  return key === "-" || /^(0|[1-9]\d*)$/.test(key) ? 1 : key.length + 4;
}
