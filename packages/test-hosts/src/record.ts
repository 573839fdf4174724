/**
 * The record of a live instance, in /run/lit-test-hosts/<id>.json: who owns
 * it (pid and start time, so a reused pid is not mistaken for the owner) and
 * where its folder is. Stale cleanup removes instances whose owner is gone.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { writeFileAtomicSync } from "@lit-app/runtime";
import { recordDir } from "./naming.ts";
import { isAlive, startTimeOf } from "./processes.ts";

/** What an instance record holds. */
export interface InstanceRecord {
  readonly id: string;
  /** The owner process; undefined for an instance kept up by the CLI (`up`) until `down`. */
  readonly pid?: number;
  readonly startTime?: number;
  /** The instance's folder. */
  readonly dir: string;
  readonly createdAt: string;
  /** Random, known to the TestHosts that wrote it: its close() removes only its own instance, not a later one in the same slot. */
  readonly token: string;
}

/** Writes the record, owned by this process unless `persistent`; resolves with its token. */
export function writeRecord(file: string, id: string, dir: string, persistent: boolean): string {
  mkdirSync(recordDir, { recursive: true, mode: 0o700 });
  const base = { id, dir, createdAt: new Date().toISOString(), token: randomBytes(12).toString("hex") };
  const record: InstanceRecord = persistent ? base : { ...base, pid: process.pid, startTime: startTimeOf(process.pid) };
  writeFileAtomicSync(file, JSON.stringify(record) + "\n", { mode: 0o600 });
  return record.token;
}

/** The record, or undefined when it is missing or unreadable. */
export function readRecord(file: string): InstanceRecord | undefined {
  try {
    const value = JSON.parse(readFileSync(file, "utf8").slice(0, 4096)) as Partial<InstanceRecord>;
    if (typeof value.id !== "string" || typeof value.dir !== "string") return undefined;
    return value as InstanceRecord;
  } catch {
    return undefined;
  }
}

/** Whether the record's owner still runs (a persistent record always counts as owned). */
export function ownerAlive(record: InstanceRecord): boolean {
  if (record.pid === undefined) return true;
  return isAlive(record.pid) && startTimeOf(record.pid) === record.startTime;
}

/** Removes the record. */
export function removeRecord(file: string): void {
  rmSync(file, { force: true });
}

/** How long ago `file` was changed, in ms (Infinity when it is missing). */
export function ageOf(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}
