/**
 * The flow side's account of the state, per component and field: each
 * field's JSON size and the JSON types it has held. Kept up to date from the
 * changes as they are recorded, so that a change costs what it touches: a
 * field's size is measured again only when a change inside it did not say
 * what it replaced, and then only when a limit is checked.
 */
import type { ComponentCore } from "./component.ts";
import { encodedSize, entryOverhead, jsonSize } from "./state-size.ts";
import type { VarOp } from "./var-ops.ts";

/** The JSON types, as a field's value has them (framework values are objects). */
export type JsonType = "null" | "boolean" | "number" | "string" | "array" | "object";

const TYPES: readonly JsonType[] = ["null", "boolean", "number", "string", "array", "object"];

/** The JSON type of a stored or encoded value; undefined for no value. */
export function jsonTypeOf(value: unknown): JsonType | undefined {
  if (value === undefined) return undefined;
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const t = typeof value;
  return t === "boolean" || t === "number" || t === "string" ? t : "object";
}

/** The types in a set made by {@link StateLedger.typesOf}. */
export function typeNames(types: number): JsonType[] {
  return TYPES.filter((_, i) => types & (1 << i));
}

/** The set (a bit mask) holding just `type`; 0 for no value. */
export function typeBit(type: JsonType | undefined): number {
  return type === undefined ? 0 : 1 << TYPES.indexOf(type);
}

const bit = typeBit;

interface Field {
  size: number;
  types: number;
  /** A change inside the field did not say what it replaced: measure again before the next check. */
  stale: boolean;
}

/** True when `key` is one of the component's public state fields (declared, not a child). */
export function isStateField(core: ComponentCore, key: string): boolean {
  return !key.startsWith("_") && !core.children.has(key) && Object.prototype.hasOwnProperty.call(core.fields, key);
}

/** Sizes and types of every component's fields. */
export class StateLedger {
  private readonly components = new Map<ComponentCore, Map<string, Field>>();
  private readonly stale = new Map<Field, { core: ComponentCore; key: string }>();
  private sum = 0;

  /** Starts accounting for a component: measures its fields once. */
  add(core: ComponentCore): void {
    if (this.components.has(core)) return;
    const fields = new Map<string, Field>();
    for (const key of Object.keys(core.fields)) {
      if (!isStateField(core, key)) continue;
      const value = core.fields[key];
      if (typeof value === "function") continue;
      const size = value === undefined ? 0 : entryOverhead(key) + jsonSize(value);
      fields.set(key, { size, types: bit(jsonTypeOf(value)), stale: false });
      this.sum += size;
    }
    this.components.set(core, fields);
  }

  /** Stops accounting for a component (it left the app). */
  remove(core: ComponentCore): void {
    const fields = this.components.get(core);
    if (!fields) return;
    for (const field of fields.values()) this.sum -= field.size;
    for (const field of fields.values()) this.stale.delete(field);
    this.components.delete(core);
  }

  /** The JSON types a field has held since the app started (a set; 0 when it never held a value). */
  typesOf(core: ComponentCore, key: string): number {
    return this.components.get(core)?.get(key)?.types ?? 0;
  }

  /** The JSON size of one field now (0 when it holds nothing). */
  fieldSize(core: ComponentCore, key: string): number {
    const field = this.components.get(core)?.get(key);
    if (!field) return 0;
    if (field.stale) this.refresh(core, key, field);
    return field.size;
  }

  /**
   * Accounts for one applied change.
   * @param removed the JSON size of the value it replaced or removed, when known;
   *   without it a change inside a field marks the field to be measured again.
   */
  note(core: ComponentCore, op: VarOp, removed?: number): void {
    const fields = this.components.get(core);
    if (!fields) return;
    const key = op.path[0]!;
    let field = fields.get(key);
    if (!field) fields.set(key, (field = { size: 0, types: 0, stale: false }));
    const before = field.size;
    if (op.path.length === 1) {
      if (op.op === "remove") {
        field.size = 0;
      } else {
        field.size = entryOverhead(key) + encodedSize(op.value ?? null);
        field.types |= bit(jsonTypeOf(op.value ?? null));
      }
      if (field.stale) this.stale.delete(field);
      field.stale = false;
    } else if (!field.stale) {
      const overhead = entryOverhead(op.path[op.path.length - 1]!);
      if (op.op === "remove") {
        if (removed === undefined) this.markStale(core, key, field);
        else field.size -= removed + overhead;
      } else if (removed !== undefined) {
        field.size += encodedSize(op.value ?? null) - removed;
      } else if (op.op === "add") {
        field.size += encodedSize(op.value ?? null) + overhead;
      } else {
        this.markStale(core, key, field);
      }
    }
    this.sum += field.size - before;
  }

  /** The JSON size of the whole state as last known: changes inside fields that did not say what they replaced are not in it yet. */
  estimate(): number {
    return this.sum;
  }

  /** The JSON size of the whole state (fields changed without a known size are measured now). */
  total(): number {
    for (const [field, { core, key }] of this.stale) this.refresh(core, key, field);
    return this.sum;
  }

  private markStale(core: ComponentCore, key: string, field: Field): void {
    field.stale = true;
    this.stale.set(field, { core, key });
  }

  private refresh(core: ComponentCore, key: string, field: Field): void {
    const value = core.fields[key];
    const size = value === undefined ? 0 : entryOverhead(key) + jsonSize(value);
    this.sum += size - field.size;
    field.size = size;
    field.stale = false;
    this.stale.delete(field);
  }
}
