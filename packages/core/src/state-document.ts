/**
 * The state document served to the UI and the REST API:
 * `{ stage, components: { "<dotted name>": { kind, vars, status?, compute?, url? } } }`,
 * and the JSON Patches that change it.
 */
import type { ComponentCore } from "./component.ts";
import { PatchError } from "./errors.ts";
import { parsePointer } from "./json-pointer.ts";
import { withOrigin } from "./origin.ts";
import { encodeState, stateEquals, toStateValue, type JsonValue } from "./state-value.ts";
import { applyVarOp, readAt, type VarOp } from "./var-ops.ts";
import type { WorkCore } from "./work-core.ts";

/** One RFC 6902 JSON Patch operation. */
export interface PatchOp {
  op: "add" | "remove" | "replace" | "test" | "move" | "copy";
  path: string;
  value?: JsonValue;
  from?: string;
}

/** The document of one component. */
export interface ComponentDocument {
  kind: "flow" | "work";
  vars: { [key: string]: JsonValue };
  status?: { stage: string; timestamp: number; reason?: string; message?: string };
  compute?: { name: string; diskSize: number; idleTimeout: number | null; shmSize: number; gpus: number };
  url?: string;
}

/** The whole state document. */
export interface StateDocument {
  stage: string;
  components: { [name: string]: ComponentDocument };
}

/** A component's public fields, encoded (children and absent fields left out). */
export function varsOf(core: ComponentCore): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(core.fields)) {
    if (key.startsWith("_") || core.children.has(key)) continue;
    const value = core.fields[key];
    if (value === undefined || typeof value === "function") continue;
    out[key] = encodeState(value);
  }
  return out;
}

/** The document of one flow or work. */
export function componentDocument(core: ComponentCore): ComponentDocument {
  if (core.kind === "work") {
    const work = core as WorkCore;
    return {
      kind: "work",
      vars: varsOf(core),
      status: { ...work.status },
      compute: work.options.cloudCompute.toJSON(),
      url: work.url,
    };
  }
  return { kind: "flow", vars: varsOf(core) };
}

/** Builds the whole state document. */
export function stateDocument(stage: string, components: Iterable<ComponentCore>): StateDocument {
  const doc: StateDocument = { stage, components: {} };
  for (const c of components) doc.components[c.name] = componentDocument(c);
  return doc;
}

interface Target {
  core: ComponentCore;
  path: string[];
}

function target(pointer: unknown, find: (name: string) => ComponentCore | undefined, field: string): Target {
  if (typeof pointer !== "string") throw new PatchError(`"${field}" must be a JSON Pointer string`);
  let keys: string[];
  try {
    keys = parsePointer(pointer);
  } catch (error) {
    throw new PatchError((error as Error).message);
  }
  if (keys.length < 4 || keys[0] !== "components" || keys[2] !== "vars") {
    throw new PatchError(`"${pointer}" is not writable: only /components/<name>/vars/<field>... can be changed`);
  }
  const core = find(keys[1] as string);
  if (!core) throw new PatchError(`"${pointer}": there is no component named "${keys[1]}"`);
  const path = keys.slice(3);
  if (core.children.has(path[0] as string)) {
    throw new PatchError(`"${pointer}": ${core.name}.${path[0]} is a component, not a field`);
  }
  if ((path[0] as string).startsWith("_")) throw new PatchError(`"${pointer}": fields starting with "_" are private`);
  // Methods and accessors (run, status, ...) live on the prototype; a patch may only touch data fields.
  if (!Object.prototype.hasOwnProperty.call(core.fields, path[0] as string) && (path[0] as string) in core.fields) {
    throw new PatchError(`"${pointer}": "${path[0]}" is a method or property of ${core.className}, not a state field`);
  }
  return { core, path };
}

const OPS = new Set(["add", "remove", "replace", "test", "move", "copy"]);

/**
 * Applies a JSON Patch from outside (UI, REST API) whole or not at all.
 * @param record called for each applied change, after the whole patch succeeded.
 * @throws PatchError with the reason; the state is then as it was.
 */
export function applyStatePatch(
  patch: unknown,
  find: (name: string) => ComponentCore | undefined,
  record: (core: ComponentCore, op: VarOp) => void,
): void {
  if (!Array.isArray(patch)) throw new PatchError("the patch must be an array of operations");
  const done: { core: ComponentCore; inverse: VarOp }[] = [];
  const applied: { core: ComponentCore; op: VarOp }[] = [];
  const apply = (core: ComponentCore, op: VarOp, where: string) => {
    const inverse = applyVarOp(core.fields, op, where, true);
    done.push({ core, inverse: inverse as VarOp });
    applied.push({ core, op });
  };
  try {
    patch.forEach((raw: unknown, i: number) => {
      const where = `operation ${i}`;
      if (raw === null || typeof raw !== "object") throw new PatchError(`${where}: must be an object`);
      const op = raw as Partial<PatchOp>;
      if (typeof op.op !== "string" || !OPS.has(op.op)) {
        throw new PatchError(`${where}: "op" must be one of ${[...OPS].join(", ")}`);
      }
      const to = target(op.path, find, `${where} path`);
      const at = `${where} (${op.path})`;
      const valueOf = (): JsonValue => {
        if (!("value" in op)) throw new PatchError(`${at}: "${op.op}" needs a "value"`);
        return encodeState(toStateValue(op.value, { component: to.core.name, path: to.path }));
      };
      switch (op.op) {
        case "add":
        case "replace":
          apply(to.core, { op: op.op, path: to.path, value: valueOf() }, at);
          break;
        case "remove":
          apply(to.core, { op: "remove", path: to.path }, at);
          break;
        case "test":
          if (!stateEquals(encodeState(readAt(to.core.fields, to.path, at)), valueOf())) {
            throw new PatchError(`${at}: test failed, the value differs`);
          }
          break;
        case "move":
        case "copy": {
          const from = target(op.from, find, `${where} from`);
          const value = encodeState(readAt(from.core.fields, from.path, at));
          if (op.op === "move") apply(from.core, { op: "remove", path: from.path }, at);
          apply(to.core, { op: "add", path: to.path, value }, at);
          break;
        }
      }
    });
  } catch (error) {
    for (let i = done.length - 1; i >= 0; i--) {
      const { core, inverse } = done[i]!;
      applyVarOp(core.fields, inverse, "rollback");
    }
    if (error instanceof PatchError) throw error;
    if (error instanceof Error) throw new PatchError(error.message);
    throw error;
  }
  withOrigin("external", () => {
    for (const { core, op } of applied) record(core, op);
  });
}
