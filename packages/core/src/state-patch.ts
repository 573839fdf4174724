/**
 * Applies a JSON Patch from outside (UI, REST API) to the state, whole or
 * not at all, at a bounded cost:
 *
 * 1. Before anything is changed, every operation is read and checked: its
 *    path, the shape rules (state-shape.ts), its value (data only, see
 *    client-value.ts, and nested at most `maxDepth`), and the JSON sizes of
 *    all `add` and `replace` values together against `maxPatchBytes`. A patch
 *    of more than `maxPatchOps` operations is not read at all.
 * 2. The operations are applied in order. A `copy` or `move` first measures
 *    its source, stopping at what the patch may still write, so that a copy
 *    too big for the patch is refused before it is made.
 * 3. The state's new size is checked against `maxStateBytes` (a patch that
 *    does not grow the state always passes), then each changed component's
 *    clientSchema.
 *
 * Any refusal undoes what was applied, without copying anything, and the
 * change is recorded (feed, works' outboxes) only once the whole patch passed.
 */
import { clientValue, tooDeep } from "./client-value.ts";
import type { ComponentCore } from "./component.ts";
import { ComponentError, LitError, PatchError, StateLimitError, StateShapeError } from "./errors.ts";
import { parsePointer } from "./json-pointer.ts";
import { withOrigin } from "./origin.ts";
import type { PatchOp } from "./state-document.ts";
import { jsonTypeOf, type StateLedger } from "./state-ledger.ts";
import { formatBytes, type StateLimits } from "./state-limits.ts";
import { checkClientSchema, checkDeclared, checkFieldType, refuseRemoval } from "./state-shape.ts";
import { entryOverhead, jsonSize, measure } from "./state-size.ts";
import { decodeState, encodeState, stateEquals, type JsonValue } from "./state-value.ts";
import { applyChange, readAt, undoChange, type AppliedChange, type VarOp } from "./var-ops.ts";

/** What applying a patch needs from the engine. */
export interface PatchContext {
  /** The component with a dotted name. */
  find(name: string): ComponentCore | undefined;
  readonly limits: Readonly<StateLimits>;
  readonly ledger: StateLedger;
  /** Records one applied change (origin `external`); `removed` is the JSON size of what it replaced, when known. */
  record(core: ComponentCore, op: VarOp, removed?: number): void;
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
  const key = path[0] as string;
  if (core.children.has(key)) throw new PatchError(`"${pointer}": ${core.name}.${key} is a component, not a field`);
  if (key.startsWith("_")) throw new PatchError(`"${pointer}": fields starting with "_" are private`);
  // Methods and accessors (run, status, ...) live on the prototype; a patch may only touch data fields.
  if (!Object.prototype.hasOwnProperty.call(core.fields, key) && key in core.fields) {
    throw new PatchError(`"${pointer}": "${key}" is a method or property of ${core.className}, not a state field`);
  }
  return { core, path };
}

const OPS = new Set(["add", "remove", "replace", "test", "move", "copy"]);

/** One operation, read and checked, before anything is applied. */
interface Step {
  op: PatchOp["op"];
  at: string;
  to: Target;
  from?: Target;
  /** add, replace, test: the value to store (a private copy), encoded, and its JSON size. */
  value?: { raw: unknown; json: JsonValue; size: number };
}

function readStep(raw: unknown, i: number, ctx: PatchContext): Step {
  const where = `operation ${i}`;
  if (raw === null || typeof raw !== "object") throw new PatchError(`${where}: must be an object`);
  const op = raw as Partial<PatchOp>;
  if (typeof op.op !== "string" || !OPS.has(op.op)) throw new PatchError(`${where}: "op" must be one of ${[...OPS].join(", ")}`);
  const to = target(op.path, ctx.find, `${where} path`);
  const at = `${where} (${op.path})`;
  const step: Step = { op: op.op, at, to };
  if (op.op === "add" || op.op === "replace" || op.op === "test") {
    if (!("value" in op)) throw new PatchError(`${at}: "${op.op}" needs a "value"`);
    const loc = { component: to.core.name, path: to.path };
    const copy = clientValue(op.value, loc, ctx.limits.maxDepth, at);
    const json = encodeState(copy);
    step.value = { raw: copy, json, size: op.op === "test" ? 0 : jsonSize(copy) };
  }
  if (op.op === "move" || op.op === "copy") step.from = target(op.from, ctx.find, `${where} from`);
  if (op.op === "test") return step;
  const key = to.path[0] as string;
  checkDeclared(to.core, key, at);
  if (op.op === "remove" && to.path.length === 1) refuseRemoval(to.core, key, at);
  if (step.from) {
    checkDeclared(step.from.core, step.from.path[0] as string, at);
    if (op.op === "move" && step.from.path.length === 1) refuseRemoval(step.from.core, step.from.path[0] as string, at);
  }
  if (step.value && to.path.length === 1) checkFieldType(to.core, key, jsonTypeOf(step.value.raw)!, ctx.ledger, at);
  return step;
}

function tooMuch(at: string, max: number, written: number, size: number, lowerBound: boolean): StateLimitError {
  return new StateLimitError(
    "patchBytes",
    `${at}: the patch would write more than ${formatBytes(max)} (maxPatchBytes): this operation writes ${lowerBound ? "at least " : ""}${size} bytes, ` +
      `after ${written} bytes of the operations before it. Nothing was applied. Send smaller patches, or raise the app's limits.maxPatchBytes.`,
  );
}

/**
 * Applies a JSON Patch from outside whole or not at all; see the file's comment for the checks.
 * @throws PatchError for a malformed or forbidden operation, StateShapeError for a change of
 *   shape, StateLimitError for a patch over the app's limits; the state is then as it was.
 */
export function applyStatePatch(patch: unknown, ctx: PatchContext): void {
  if (!Array.isArray(patch)) throw new PatchError("the patch must be an array of operations");
  const { limits, ledger } = ctx;
  if (patch.length > limits.maxPatchOps) {
    throw new StateLimitError(
      "patchOps",
      `the patch has ${patch.length} operations, more than the ${limits.maxPatchOps} one patch may carry (maxPatchOps). ` +
        `Nothing was applied. Send it as several patches, or raise the app's limits.maxPatchOps.`,
    );
  }
  const done: { core: ComponentCore; change: AppliedChange }[] = [];
  const applied: { core: ComponentCore; op: VarOp; removed?: number }[] = [];
  const touched = new Set<ComponentCore>();
  let growth = 0;
  /** Applies one change; `put` is the raw value to store and its size, `removed` the size of what it takes away when known. */
  const apply = (core: ComponentCore, op: VarOp, at: string, put?: { raw: unknown; size: number }, known?: number): void => {
    const change = applyChange(core.fields, op, at, undefined, put);
    done.push({ core, change });
    const removed = change.had ? (known ?? jsonSize(change.old)) : undefined;
    const overhead = op.path.length > 1 ? entryOverhead(op.path[op.path.length - 1] as string) : 0;
    if (put) growth += put.size + (change.had ? 0 : overhead);
    if (removed !== undefined) growth -= removed + (op.op === "remove" ? overhead : 0);
    applied.push(removed === undefined ? { core, op } : { core, op, removed });
    touched.add(core);
  };
  try {
    const steps = patch.map((raw: unknown, i: number) => readStep(raw, i, ctx));
    let written = 0;
    for (const step of steps) {
      const size = step.value?.size ?? 0;
      if (written + size > limits.maxPatchBytes) throw tooMuch(step.at, limits.maxPatchBytes, written, size, false);
      written += size;
    }
    // `written` counts add and replace values now; copies and moves add theirs as they are measured.
    for (const step of steps) {
      const { core, path } = step.to;
      switch (step.op) {
        case "add":
        case "replace":
          apply(core, { op: step.op, path, value: step.value!.json }, step.at, step.value);
          break;
        case "remove":
          apply(core, { op: "remove", path }, step.at);
          break;
        case "test":
          if (!stateEquals(readAt(core.fields, path, step.at), step.value!.raw)) throw new PatchError(`${step.at}: test failed, the value differs`);
          break;
        case "move":
        case "copy": {
          const from = step.from!;
          if (step.op === "move" && from.core === core && path.length > from.path.length && from.path.every((k, i) => path[i] === k)) {
            throw new PatchError(`${step.at}: a value cannot be moved into itself`);
          }
          const source = readAt(from.core.fields, from.path, step.at);
          const left = limits.maxPatchBytes - written;
          const depthLeft = limits.maxDepth - (path.length - 1);
          const m = measure(source, left, depthLeft);
          if (m.depth > depthLeft) throw tooDeep({ component: core.name, path }, limits.maxDepth, step.at);
          if (m.size > left) throw tooMuch(step.at, limits.maxPatchBytes, written, m.size, m.over);
          written += m.size;
          if (m.framework && from.core !== core) {
            throw new PatchError(
              `${step.at}: the value at "/${from.path.join("/")}" holds a Path, Drive, Payload or CloudCompute, ` +
                `which a patch may not ${step.op} from ${from.core.name} to ${core.name}: only the flow hands these from one component to another.`,
            );
          }
          if (path.length === 1) checkFieldType(core, path[0] as string, jsonTypeOf(source)!, ledger, step.at);
          const json = encodeState(source);
          if (step.op === "move") {
            apply(from.core, { op: "remove", path: from.path }, step.at, undefined, m.size);
            apply(core, { op: "add", path, value: json }, step.at, { raw: source, size: m.size });
          } else {
            apply(core, { op: "add", path, value: json }, step.at, { raw: decodeState(json), size: m.size });
          }
          break;
        }
      }
    }
    if (growth > 0) {
      const total = ledger.total() + growth;
      if (total > limits.maxStateBytes) {
        throw new StateLimitError(
          "stateBytes",
          `the app's state would be ${total} bytes, over its limit of ${formatBytes(limits.maxStateBytes)} (maxStateBytes); nothing of the patch was applied. ` +
            `Remove data first, or raise the app's limits.maxStateBytes.`,
        );
      }
    }
    for (const core of touched) checkClientSchema(core, `the patch (${core.name})`);
  } catch (error) {
    for (let i = done.length - 1; i >= 0; i--) undoChange(done[i]!.core.fields, done[i]!.change);
    if (error instanceof PatchError || error instanceof StateLimitError || error instanceof StateShapeError || error instanceof ComponentError) throw error;
    if (error instanceof LitError || error instanceof Error) throw new PatchError(error.message);
    throw error;
  }
  withOrigin("external", () => {
    for (const { core, op, removed } of applied) ctx.record(core, op, removed);
  });
}
