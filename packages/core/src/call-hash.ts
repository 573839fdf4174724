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

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, "0"));

/** 8 hex digits of a 32-bit value; a table, as `toString(16)` costs most of a call's hashing. */
function hex32(n: number): string {
  return (HEX[(n >>> 24) & 255] as string) + HEX[(n >>> 16) & 255] + HEX[(n >>> 8) & 255] + HEX[n & 255];
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
  return hex32(h1) + hex32(h2);
}

/** The key of a call: `run:` and the hash of its encoded arguments. */
export function callHash(args: readonly JsonValue[]): string {
  return "run:" + hash64(stableStringify(args as JsonValue[]));
}
