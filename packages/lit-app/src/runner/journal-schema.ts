/**
 * What a journal's files may hold, checked as they are read back: the
 * snapshot's envelope and durable state, and each line of records. Values
 * (vars, patch values) are JSON nested at most {@link MAX_JOURNAL_DEPTH} deep.
 */
import { z } from "zod";
import type { DurableState, JournalRecord } from "@lit-app/core/internal";

/** How deep a value read from a journal may be nested (the app's own limit is lower: `limits.maxDepth`). */
export const MAX_JOURNAL_DEPTH = 256;

/** The `format` field of a journal's snapshot: a file without it is not a lit-app journal. */
export const JOURNAL_FORMAT = "lit-app-journal";

const name = z.string().min(1).max(4096);
const stage = z.enum(["pending", "running", "succeeded", "failed", "stopped"]);
const json = z.json();

const patchOp = z.object({ op: z.enum(["add", "replace", "remove"]), path: z.string().max(65_536), value: json.optional() });

const component = z.object({
  kind: z.enum(["flow", "work"]),
  vars: z.record(z.string(), json),
  status: z.object({ stage: z.string().max(64), timestamp: z.number(), reason: z.string().optional(), message: z.string().optional() }).optional(),
  compute: z.object({ name: z.string(), diskSize: z.number(), idleTimeout: z.number().nullable(), shmSize: z.number(), gpus: z.number() }).optional(),
  url: z.string().optional(),
  placement: z.object({ host: z.string(), gpus: z.array(z.string()) }).optional(),
});

/** A durable state as a snapshot holds it. */
export const durableStateSchema: z.ZodType<DurableState> = z.object({
  version: z.literal(1),
  doc: z.object({ stage: z.string().max(64), components: z.record(name, component) }),
  components: z.record(name, z.object({ kind: z.enum(["flow", "work"]), className: z.string().max(4096), dynamic: z.boolean() })),
  works: z.record(
    name,
    z.object({
      latest: z.string().optional(),
      successes: z.number().int().nonnegative(),
      calls: z.record(z.string(), z.object({ id: z.string(), stage })),
      handle: json.optional(),
    }),
  ),
  schedules: z.record(name, z.record(z.string(), z.number())),
}) as unknown as z.ZodType<DurableState>;

/** A snapshot file: the durable state and the generation of the journal file that follows it. */
export const snapshotSchema = z.object({
  format: z.literal(JOURNAL_FORMAT),
  version: z.literal(1),
  generation: z.number().int().nonnegative(),
  state: durableStateSchema,
});

const record = z.discriminatedUnion("t", [
  z.object({ t: z.literal("doc"), ops: z.array(patchOp) }),
  z.object({ t: z.literal("component"), name, kind: z.enum(["flow", "work"]), className: z.string().max(4096), dynamic: z.boolean() }),
  z.object({ t: z.literal("call"), work: name, hash: z.string(), id: z.string(), stage, latest: z.boolean().optional(), successes: z.number().int().nonnegative().optional() }),
  z.object({ t: z.literal("schedule"), flow: name, key: z.string(), next: z.number() }),
  z.object({ t: z.literal("handle"), work: name, handle: json }),
]);

/** One line of a journal file: the records of one pass. */
export const lineSchema = z.array(record) as unknown as z.ZodType<JournalRecord[]>;

/** How deep `value` is nested, stopping once past `max` (without recursion: a hostile file cannot overflow the stack here). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
