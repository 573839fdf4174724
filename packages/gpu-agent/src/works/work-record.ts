/**
 * The agent's record of one work, `work.json` in the work's folder: what a
 * restarted agent needs to find the work's process again (its pid and start
 * time) and to tell controllers which incarnation it is. Written atomically
 * (0600) when the process starts and when it ends; read back with zod.
 */
import { readFileSync } from "node:fs";
import { writeFileAtomicSync } from "@lit-app/runtime";
import { z } from "zod";

/** The record of one work. */
export const workRecord = z.object({
  /** The work's name in the table: its dotted name, after its app's key when it has one (`apps/<name>#root.train`). */
  name: z.string().min(1).max(1000),
  incarnation: z.string().min(1).max(200),
  pid: z.number().int().positive().optional(),
  /** The process's start time (Linux: clock ticks since boot), to tell it from a later process with the same pid. */
  startTime: z.string().max(40).optional(),
  /** The work's memory limit (CloudCompute memoryMiB), watched again by a restarted agent. */
  memoryMiB: z.number().positive().optional(),
  /** `running` until the process has ended (stopped, crashed, or found gone). */
  state: z.enum(["running", "ended"]),
  /** Epoch ms. */
  createdAt: z.number(),
});
export type WorkRecord = z.infer<typeof workRecord>;

/** The record at `file`, or undefined when it is missing or not a record. */
export function readWorkRecord(file: string): WorkRecord | undefined {
  try {
    const text = readFileSync(file, "utf8");
    if (text.length > 64 * 1024) return undefined;
    const parsed = workRecord.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `record` to `file`, whole or not at all. */
export function writeWorkRecord(file: string, record: WorkRecord): void {
  writeFileAtomicSync(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}
