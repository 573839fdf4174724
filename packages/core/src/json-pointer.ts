/** RFC 6901 JSON Pointers: `/a/b~1c` is `["a", "b/c"]`. */

/** Escapes one key for use in a pointer. */
export function escapeKey(key: string): string {
  if (!key.includes("~") && !key.includes("/")) return key;
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Builds a pointer from its keys. */
export function toPointer(keys: readonly string[]): string {
  let out = "";
  for (const key of keys) out += "/" + escapeKey(key);
  return out;
}

/** Splits a pointer into its keys; `""` is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw new SyntaxError(`"${pointer}" is not a JSON Pointer: it must be empty or start with "/"`);
  }
  return pointer
    .slice(1)
    .split("/")
    .map((k) => (k.includes("~") ? k.replaceAll("~1", "/").replaceAll("~0", "~") : k));
}
