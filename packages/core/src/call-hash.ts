/**
 * Calls are keyed by a stable hash of their arguments: the same arguments in
 * any key order give the same key, on every runtime and every machine.
 */
import type { JsonValue } from "./state-value.ts";

/** JSON with object keys sorted, so equal data always gives the same text. */
export function stableStringify(value: JsonValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(stableStringify).join(",") + "]";
  const keys = Object.keys(value).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (i) out += ",";
    out += JSON.stringify(k) + ":" + stableStringify(value[k] as JsonValue);
  }
  return out + "}";
}

/** 64-bit FNV-1a of a string's UTF-16 code units, as 16 hex digits. */
export function hash64(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c ^ (h1 >>> 15), 0x01000193);
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

/** The key of a call: `run:` and the hash of its encoded arguments. */
export function callHash(args: readonly JsonValue[]): string {
  return "run:" + hash64(stableStringify(args as JsonValue[]));
}
