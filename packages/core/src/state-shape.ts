/**
 * The shape of a component's state as clients may change it. By default a
 * patch changes declared fields' values: it may not remove a declared field,
 * add a field the component does not declare, or change a field's JSON type
 * (inside a field, JSON Patch applies as RFC 6902 says). A component may
 * declare a `clientSchema`, checked on every patch that changes it.
 */
import type { ComponentCore } from "./component.ts";
import { ComponentError, StateShapeError } from "./errors.ts";
import { isStateField, typeBit, typeNames, type JsonType, type StateLedger } from "./state-ledger.ts";
import { formatField } from "./state-value.ts";

/**
 * A schema for the fields clients write, as a static `clientSchema` member of
 * a flow or work class: any Standard Schema (`~standard.validate`, which zod
 * 4, valibot and arktype implement) or any object with zod's `safeParse`.
 * It must check synchronously. The core never loads a schema library itself.
 */
export type ClientSchema =
  | { readonly "~standard": { validate(value: unknown): unknown } }
  | { safeParse(value: unknown): unknown };

/** The `clientSchema` a component's class declares, if any. */
export function clientSchemaOf(core: ComponentCore): ClientSchema | undefined {
  const cls = (core.proxy as { constructor?: { clientSchema?: unknown } }).constructor;
  const schema = cls?.clientSchema;
  if (schema === undefined || schema === null) return undefined;
  if (typeof schema === "object" || typeof schema === "function") {
    const s = schema as { "~standard"?: { validate?: unknown }; safeParse?: unknown };
    if (typeof s["~standard"]?.validate === "function" || typeof s.safeParse === "function") return schema as ClientSchema;
  }
  throw new ComponentError(
    "E_CLIENT_SCHEMA",
    `${core.className}.clientSchema must be a schema such as z.object({ ... }) (a Standard Schema, or an object with safeParse).`,
  );
}

function refuse(core: ComponentCore, at: string, path: readonly string[], reason: string, advice: string): never {
  const field = formatField(path);
  throw new StateShapeError(core.name, field, reason, `${at}: ${core.name}: field "${field}": ${reason}. ${advice}`);
}

/** Refuses a write to a field the component does not declare. */
export function checkDeclared(core: ComponentCore, key: string, at: string): void {
  if (isStateField(core, key)) return;
  const field = formatField([key]);
  const reason = `${core.className} declares no field "${key}"`;
  throw new StateShapeError(
    core.name,
    field,
    reason,
    `${at}: ${core.name}: ${reason}; a patch changes the fields a component declares, it does not add new ones. ` +
      `Declare the field in ${core.className} (e.g. ${key} = null).`,
  );
}

/** Refuses removing a declared field (a `remove` or a `move` from it). */
export function refuseRemoval(core: ComponentCore, key: string, at: string): never {
  refuse(core, at, [key], "a patch cannot remove a declared field", "Replace its value instead.");
}

function named(type: JsonType): string {
  return type === "null" ? "null" : type === "array" || type === "object" ? `an ${type}` : `a ${type}`;
}

/**
 * Refuses giving a field a JSON type it never held. A field that has held
 * nothing or only null takes any type; a component with a clientSchema
 * leaves types to it.
 */
export function checkFieldType(core: ComponentCore, key: string, type: JsonType, ledger: StateLedger, at: string): void {
  const held = ledger.typesOf(core, key);
  if (held === 0 || held === typeBit("null") || held & typeBit(type)) return;
  if (clientSchemaOf(core)) return;
  const names = typeNames(held).map(named);
  const holds = names.length === 1 ? `it holds ${names[0]}` : `it has held ${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  refuse(core, at, [key], `${holds}; a patch cannot make it ${named(type)}`, `Declare a clientSchema on ${core.className} to allow other types.`);
}

interface Issue {
  path: string[];
  message: string;
}

function issuesOf(list: unknown): Issue[] {
  if (!Array.isArray(list)) return [{ path: [], message: "the value does not match" }];
  return list.map((raw) => {
    const issue = raw as { path?: unknown[]; message?: unknown };
    const path = (Array.isArray(issue.path) ? issue.path : []).map((seg) =>
      String(seg !== null && typeof seg === "object" ? (seg as { key?: unknown }).key : seg),
    );
    return { path, message: typeof issue.message === "string" ? issue.message : "invalid" };
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

/** Runs a schema; returns its issues (none when the value matches). */
function validate(schema: ClientSchema, value: unknown, core: ComponentCore): Issue[] {
  const std = (schema as { "~standard"?: { validate?: (v: unknown) => unknown } })["~standard"];
  const result = typeof std?.validate === "function" ? std.validate(value) : (schema as { safeParse(v: unknown): unknown }).safeParse(value);
  if (isThenable(result)) {
    Promise.resolve(result).then(undefined, () => undefined);
    throw new ComponentError(
      "E_CLIENT_SCHEMA",
      `${core.className}.clientSchema checks asynchronously; a clientSchema checks each patch as it is applied, so it must be synchronous (no async refinements).`,
    );
  }
  const r = (result ?? {}) as { issues?: unknown; success?: unknown; error?: { issues?: unknown } };
  if (typeof std?.validate === "function") return r.issues === undefined ? [] : issuesOf(r.issues);
  return r.success === true ? [] : issuesOf(r.error?.issues);
}

/**
 * Checks a component's public fields against its clientSchema, if it has one.
 * The schema only judges: its output is not stored.
 */
export function checkClientSchema(core: ComponentCore, at: string): void {
  const schema = clientSchemaOf(core);
  if (!schema) return;
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(core.fields)) {
    if (isStateField(core, key) && core.fields[key] !== undefined && typeof core.fields[key] !== "function") fields[key] = core.fields[key];
  }
  const issues = validate(schema, fields, core);
  if (issues.length === 0) return;
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  refuse(core, at, first.path, `${first.message}${more}`, `${core.className}.clientSchema refused the patch.`);
}
