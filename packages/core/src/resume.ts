/**
 * Resuming an app from its durable state (durable-state.ts): the check that
 * the app's component tree is the one the journal recorded, and putting a
 * component's saved vars, calls and schedules back in place before the app
 * accounts for it.
 */
import type { ComponentCore } from "./component.ts";
import type { DurableComponent, DurableState, DurableWork } from "./durable-state.ts";
import { JournalError } from "./errors.ts";
import type { FlowCore } from "./flow-core.ts";
import { parseCron } from "./schedule.ts";
import type { ComponentDocument } from "./state-document.ts";
import type { DecodeContext } from "./state-value.ts";
import { applyChange } from "./var-ops.ts";
import type { CallRecord, WorkCore } from "./work-core.ts";

/** What is kept of one component, until it joins the app again. */
export interface SavedComponent extends DurableComponent {
  doc: ComponentDocument | undefined;
  work: DurableWork | undefined;
  schedules: { [key: string]: number } | undefined;
}

/**
 * Checks that the app's tree (as built, before any pass) is the one `saved`
 * recorded: the same dotted names with the same classes. Components a flow
 * created in its run() may be missing: the flow makes them again.
 * @throws JournalError saying every difference.
 */
export function checkTree(saved: DurableState, components: Iterable<ComponentCore>): void {
  const now = new Map<string, ComponentCore>();
  for (const c of components) now.set(c.name, c);
  const differences: string[] = [];
  for (const [name, c] of now) {
    const was = saved.components[name];
    if (!was) differences.push(`${name} (${c.className}) is new`);
    else if (was.className !== c.className || was.kind !== c.kind) differences.push(`${name} was a ${was.className} (${was.kind}) and is now a ${c.className} (${c.kind})`);
  }
  for (const [name, was] of Object.entries(saved.components)) {
    if (!was.dynamic && !now.has(name)) differences.push(`${name} (${was.className}) is gone`);
  }
  if (differences.length === 0) return;
  throw new JournalError(
    `the journal holds the state of an app whose components differ from this one's: ${differences.join("; ")}. ` +
      `Resume it with the code that wrote it, or start the app fresh (the journal's state is then discarded).`,
  );
}

/** Every component of `saved`, by dotted name, as {@link restoreComponent} takes it. */
export function savedComponents(saved: DurableState): Map<string, SavedComponent> {
  const out = new Map<string, SavedComponent>();
  for (const [name, c] of Object.entries(saved.components)) {
    out.set(name, { ...c, doc: saved.doc.components[name], work: saved.works[name], schedules: saved.schedules[name] });
  }
  return out;
}

/**
 * Puts a component's saved vars (and a work's calls and status, a flow's
 * schedules) back, without recording them as changes. A var that no longer
 * fits is left at its default and reported through `warn`.
 * @returns the work's calls that were pending or running when the state was saved.
 */
export function restoreComponent(core: ComponentCore, saved: SavedComponent, context: DecodeContext, warn: (message: string) => void): CallRecord[] {
  for (const [key, value] of Object.entries(saved.doc?.vars ?? {})) {
    if (key.startsWith("_") || core.children.has(key)) continue;
    try {
      applyChange(core.fields, { op: "add", path: [key], value }, core.name, context);
    } catch (error) {
      warn(`${core.name}.${key} was not restored from the journal: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (saved.schedules) restoreSchedules(core as FlowCore, saved.schedules);
  if (core.kind !== "work" || !saved.work) return [];
  const work = core as WorkCore;
  const unfinished: CallRecord[] = [];
  for (const [hash, call] of Object.entries(saved.work.calls)) {
    const rec: CallRecord = { id: call.id, hash, stage: call.stage };
    work.calls.set(hash, rec);
    work.callsById.set(call.id, rec);
    if (call.stage === "pending" || call.stage === "running") unfinished.push(rec);
  }
  work.latestCallId = saved.work.latest;
  work.numSuccesses = saved.work.successes;
  const status = saved.doc?.status;
  if (status && status.stage !== "not_started") work.status = { ...status, stage: status.stage as WorkCore["status"]["stage"] };
  return unfinished;
}

/**
 * Forgets calls that were under way when the state was saved: the flow sends
 * them again when it makes them (as it re-runs from the top).
 */
export function forgetCalls(work: WorkCore, calls: readonly CallRecord[], now: number): void {
  for (const rec of calls) {
    if (work.calls.get(rec.hash) === rec) work.calls.delete(rec.hash);
    work.callsById.delete(rec.id);
    if (work.latestCallId === rec.id && work.status.stage !== "stopped") {
      work.setStatus({ stage: "pending", timestamp: now, reason: "resumed", message: "the app resumed: the call is sent again when the flow makes it" });
    }
  }
}

/** The parts of a schedule's key (see `LightningFlow.schedule`): `cron|startTime|tz`. */
function keyParts(key: string): { cron: string; tz: string } {
  const last = key.lastIndexOf("|");
  const before = key.lastIndexOf("|", last - 1);
  return { cron: key.slice(0, before), tz: key.slice(last + 1) };
}

/**
 * Puts a flow's schedules back with their next firing as saved: a firing
 * missed while the app was down fires once at the first pass, not once per
 * missed tick. The cron parser must be loaded (see `preloadCron`).
 */
function restoreSchedules(flow: FlowCore, schedules: { [key: string]: number }): void {
  for (const [key, next] of Object.entries(schedules)) {
    const { cron, tz } = keyParts(key);
    try {
      flow.schedules.set(key, { cron: parseCron(cron, flow.name, tz || undefined), next, firedInPass: -1 });
    } catch {
      // A schedule that cannot be parsed again starts afresh at its first call.
    }
  }
}
