/**
 * Nested state values are handed out wrapped in proxies that turn each
 * mutation (`this.results.push(x)`, `this.cfg.lr = 0.1`) into a {@link VarOp}
 * for the component that owns them. Each stored object sits at exactly one
 * place in the state tree, so a wrapper is cached per object and re-pointed
 * at the path it was last read from.
 */
import { StateValueError } from "./errors.ts";
import { RAW, encodeState, stateEquals, toStateValue } from "./state-value.ts";
import type { VarOp } from "./var-ops.ts";

/** What a tracked value needs from the component that owns it. */
export interface TrackingOwner {
  /** The component's raw fields (the object behind its proxy). */
  readonly fields: Record<string, unknown>;
  /** The component's name for messages. */
  readonly label: string;
  /** The component's kind and dotted name (state types bind to the work that stores them). */
  readonly kind: string;
  readonly name: string;
  /** Records one change made through a tracked value. */
  record(op: VarOp): void;
}

interface Location {
  owner: TrackingOwner;
  path: string[];
  proxy: object;
}

const locations = new WeakMap<object, Location>();

function isIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key);
}

/** True when `raw` still sits at `loc.path` in its owner's fields. */
function stillAttached(raw: object, loc: Location): boolean {
  let node: unknown = loc.owner.fields;
  for (const key of loc.path) {
    if (node === null || typeof node !== "object") return false;
    node = (node as Record<string, unknown>)[key];
  }
  return node === raw;
}

const handler: ProxyHandler<Record<string, unknown>> = {
  get(raw, key, receiver) {
    if (key === RAW) return raw;
    const value = Reflect.get(raw, key, receiver);
    if (typeof key === "symbol" || value === null || typeof value !== "object") return value;
    if (!Object.prototype.hasOwnProperty.call(raw, key)) return value;
    const proto = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
    const loc = locations.get(raw) as Location;
    return track(loc.owner, [...loc.path, key], value as object);
  },
  set(raw, key, value) {
    if (typeof key === "symbol") return Reflect.set(raw, key, value);
    const loc = locations.get(raw) as Location;
    if (!stillAttached(raw, loc)) return Reflect.set(raw, key, value);
    const path = [...loc.path, key];
    const where = { component: loc.owner.label, path, owner: loc.owner };
    if (Array.isArray(raw)) return setInArray(raw, key, value, loc, path, where);
    const copy = toStateValue(value, where);
    const had = Object.prototype.hasOwnProperty.call(raw, key) && raw[key] !== undefined;
    if (copy === undefined) {
      if (had) loc.owner.record({ op: "remove", path });
      delete raw[key];
      return true;
    }
    if (had && stateEquals(raw[key], copy)) return true;
    raw[key] = copy;
    loc.owner.record({ op: had ? "replace" : "add", path, value: encodeState(copy) });
    return true;
  },
  deleteProperty(raw, key) {
    if (typeof key === "symbol") return Reflect.deleteProperty(raw, key);
    const loc = locations.get(raw) as Location;
    if (!stillAttached(raw, loc)) return Reflect.deleteProperty(raw, key);
    if (Array.isArray(raw)) return deleteInArray(raw, key, loc);
    if (Object.prototype.hasOwnProperty.call(raw, key)) {
      const had = raw[key] !== undefined;
      delete raw[key];
      if (had) loc.owner.record({ op: "remove", path: [...loc.path, key] });
    }
    return true;
  },
  defineProperty(raw, key, desc) {
    if (typeof key === "symbol" || !("value" in desc)) return Reflect.defineProperty(raw, key, desc);
    return handler.set!(raw, key, desc.value, raw);
  },
};

function setInArray(
  raw: unknown[],
  key: string,
  value: unknown,
  loc: Location,
  path: string[],
  where: { component: string; path: string[]; owner: TrackingOwner },
): boolean {
  if (key === "length") {
    const n = Number(value);
    if (n > raw.length) {
      throw new StateValueError(where.component, path.slice(0, -1).join("."), "would grow into holes", `${where.component}: growing an array by setting its length leaves holes, which are not state; push values instead.`);
    }
    for (let i = raw.length - 1; i >= n; i--) {
      if (i in raw) loc.owner.record({ op: "remove", path: [...loc.path, String(i)] });
    }
    raw.length = n;
    return true;
  }
  if (!isIndex(key)) {
    throw new StateValueError(where.component, key, "is not an array index", `${where.component}: cannot set "${key}" on an array in state: arrays in state hold only indexed items.`);
  }
  const i = Number(key);
  if (i > raw.length) {
    throw new StateValueError(where.component, key, "would leave holes", `${where.component}: setting index ${i} of an array of length ${raw.length} leaves holes, which are not state; push values instead.`);
  }
  const copy = toStateValue(value, where);
  if (copy === undefined) {
    throw new StateValueError(where.component, key, "holds undefined inside an array", `${where.component}: an array in state cannot hold undefined; use null.`);
  }
  if (i === raw.length || !(i in raw)) {
    const appended = i === raw.length;
    raw[i] = copy;
    loc.owner.record({ op: appended ? "add" : "replace", path, value: encodeState(copy) });
    return true;
  }
  if (stateEquals(raw[i], copy)) return true;
  raw[i] = copy;
  loc.owner.record({ op: "replace", path, value: encodeState(copy) });
  return true;
}

/** Array methods delete trailing items, top first; each becomes a remove. */
function deleteInArray(raw: unknown[], key: string, loc: Location): boolean {
  if (!isIndex(key) || !(key in raw)) return Reflect.deleteProperty(raw, key);
  const i = Number(key);
  for (let j = i + 1; j < raw.length; j++) {
    if (j in raw) {
      throw new StateValueError(loc.owner.label, key, "would leave a hole", `${loc.owner.label}: deleting item ${i} of an array in state leaves a hole; use splice(${i}, 1) instead.`);
    }
  }
  delete raw[i];
  loc.owner.record({ op: "remove", path: [...loc.path, key] });
  return true;
}

/** Returns the tracking proxy for `raw`, stored at `path` under `owner`. */
export function track<T extends object>(owner: TrackingOwner, path: string[], raw: T): T {
  const loc = locations.get(raw);
  if (loc && loc.owner === owner) {
    loc.path = path;
    return loc.proxy as T;
  }
  const proxy = new Proxy(raw as Record<string, unknown>, handler);
  locations.set(raw, { owner, path, proxy });
  return proxy as T;
}
