/**
 * `L.Dict` and `L.List`: containers of children created at run time. Their
 * items are named under them: `root.notebooks.alice`, `root.items.0`.
 */
import { CORE, ComponentCore, coreOf } from "./component.ts";
import { ComponentError } from "./errors.ts";
import type { LightningFlow } from "./flow.ts";
import type { LightningWork } from "./work.ts";

/** What a Dict or List may hold. */
export type Child = LightningWork | LightningFlow;

const NONE: ReadonlySet<string> = new Set();

function own(container: object): ComponentCore {
  return (container as { [CORE]: ComponentCore })[CORE];
}

function childCore(owner: ComponentCore, key: string, value: unknown): ComponentCore {
  const core = coreOf(value);
  if (!core || (core.kind !== "work" && core.kind !== "flow")) {
    throw new ComponentError(
      "E_CHILD_KEY",
      `${owner.name}: item "${key}" must be a LightningWork or a LightningFlow; keep plain data in a flow's fields.`,
    );
  }
  return core;
}

/**
 * A Map-like container of works or flows created at run time.
 * @example
 * notebooks = new L.Dict<Notebook>();
 * run() {
 *   if (!this.notebooks.has("alice")) this.notebooks.set("alice", new Notebook());
 *   this.notebooks.get("alice")!.run();
 * }
 */
export class Dict<T extends Child = Child> implements Iterable<[string, T]> {
  constructor(entries?: Iterable<readonly [string, T]>) {
    new ComponentCore("dict", this, "Dict", NONE, false);
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  /** Attaches `value` under `key` (a string without dots); replaces and stops any previous item. */
  set(key: string, value: T): this {
    const core = own(this);
    if (typeof key !== "string") {
      throw new ComponentError("E_CHILD_KEY", `${core.name}: Dict keys are strings, got ${typeof key}.`);
    }
    core.attachChild(key, childCore(core, key, value));
    return this;
  }
  get(key: string): T | undefined {
    return own(this).children.get(key)?.proxy as T | undefined;
  }
  has(key: string): boolean {
    return own(this).children.has(key);
  }
  /** Removes the item and stops its works. */
  delete(key: string): boolean {
    return own(this).detachChild(key) !== undefined;
  }
  /** Removes every item and stops their works. */
  clear(): void {
    for (const key of [...this.keys()]) this.delete(key);
  }
  get size(): number {
    return own(this).children.size;
  }
  keys(): IterableIterator<string> {
    return own(this).children.keys();
  }
  *values(): IterableIterator<T> {
    for (const c of own(this).children.values()) yield c.proxy as T;
  }
  *entries(): IterableIterator<[string, T]> {
    for (const [k, c] of own(this).children) yield [k, c.proxy as T];
  }
  forEach(fn: (value: T, key: string) => void): void {
    for (const [k, v] of this.entries()) fn(v, k);
  }
  [Symbol.iterator](): IterableIterator<[string, T]> {
    return this.entries();
  }
}

/**
 * An array-like container of works or flows created at run time.
 * @example
 * items = new L.List<Worker>();
 * run() {
 *   while (this.items.length < 3) this.items.push(new Worker());
 *   for (const w of this.items) w.run();
 * }
 */
export class List<T extends Child = Child> implements Iterable<T> {
  constructor(items?: Iterable<T>) {
    new ComponentCore("list", this, "List", NONE, false);
    if (items) this.push(...items);
  }

  /** Appends items; they are named `<list>.0`, `<list>.1`, ... */
  push(...items: T[]): number {
    const core = own(this);
    for (const item of items) {
      const key = String(core.children.size);
      core.attachChild(key, childCore(core, key, item));
    }
    return core.children.size;
  }
  /** Removes the last item and stops its works. */
  pop(): T | undefined {
    const core = own(this);
    if (core.children.size === 0) return undefined;
    return core.detachChild(String(core.children.size - 1))?.proxy as T | undefined;
  }
  /** The item at `index`; negative counts from the end. */
  at(index: number): T | undefined {
    const n = own(this).children.size;
    const i = index < 0 ? n + index : index;
    return own(this).children.get(String(i))?.proxy as T | undefined;
  }
  get length(): number {
    return own(this).children.size;
  }
  *[Symbol.iterator](): IterableIterator<T> {
    for (const c of own(this).children.values()) yield c.proxy as T;
  }
  map<U>(fn: (item: T, index: number) => U): U[] {
    return [...this].map(fn);
  }
  forEach(fn: (item: T, index: number) => void): void {
    [...this].forEach(fn);
  }
}
