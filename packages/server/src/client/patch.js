// @ts-check
/** JSON Patch (add, remove, replace) on plain JSON, for the browser client. */

/**
 * A JSON Pointer from keys.
 * @param {string[]} keys
 */
export function pointer(keys) {
  return keys.map((k) => "/" + String(k).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}

/**
 * Keys from a JSON Pointer.
 * @param {string} path
 */
export function keysOf(path) {
  if (path === "") return [];
  return path
    .slice(1)
    .split("/")
    .map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/**
 * A deep copy of JSON data.
 * @template T
 * @param {T} value
 * @returns {T}
 */
export function clone(value) {
  return value === undefined ? value : typeof structuredClone === "function" ? structuredClone(value) : JSON.parse(JSON.stringify(value));
}

/**
 * Applies add/remove/replace operations to `doc` in place.
 * @param {any} doc
 * @param {{ op: string, path: string, value?: unknown }[]} ops
 */
export function applyOps(doc, ops) {
  for (const op of ops) {
    const keys = keysOf(op.path);
    if (keys.length === 0) throw new Error("cannot replace the whole document");
    let node = doc;
    for (let i = 0; i < keys.length - 1; i++) {
      node = node?.[/** @type {string} */ (keys[i])];
      if (node === null || typeof node !== "object") throw new Error(`no container at ${pointer(keys.slice(0, i + 1))}`);
    }
    const key = /** @type {string} */ (keys[keys.length - 1]);
    const value = clone(op.value);
    if (Array.isArray(node)) {
      const index = key === "-" ? node.length : Number(key);
      if (!Number.isInteger(index) || index < 0 || index > node.length) throw new Error(`bad index ${key} at ${op.path}`);
      if (op.op === "add") node.splice(index, 0, value);
      else if (op.op === "replace") node[index] = value;
      else if (op.op === "remove") node.splice(index, 1);
    } else if (op.op === "remove") {
      delete node[key];
    } else {
      node[key] = value;
    }
  }
}
