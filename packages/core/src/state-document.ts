/**
 * The state document served to the UI and the REST API:
 * `{ stage, components: { "<dotted name>": { kind, vars, status?, compute?, url? } } }`,
 * and the JSON Patches that change it (applied by state-patch.ts).
 *
 * Values are as {@link encodeState} writes them: a Path, Drive, Payload or
 * CloudCompute as `{ "$lit": "<type>", ... }`, and an object of the app's data
 * that has its own `$lit` key as `{ "$lit": "Object", "value": { ... } }`.
 */
import type { ComponentCore } from "./component.ts";
import { encodeState, type JsonValue } from "./state-value.ts";
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
  /** Where the work runs, when it runs on a host of the user's: its name and the GPUs it holds there. */
  placement?: { host: string; gpus: string[] };
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
      ...(work.placement ? { placement: { host: work.placement.host, gpus: [...work.placement.gpus] } } : {}),
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
