/**
 * Process groups: a command started with `detached: true` leads its own
 * group, so signalling the group reaches every process it started (children
 * of children too), unless one of them moved itself to another group.
 */
import { readdir, readFile } from "node:fs/promises";
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";

/** Sends `signal` to every process of group `pgid`; false when the group has no process left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

let procfs: boolean | undefined;

async function hasProcfs(): Promise<boolean> {
  if (procfs === undefined) {
    procfs = process.platform === "linux" && (await readFile("/proc/self/stat", "utf8").then(() => true, () => false));
  }
  return procfs;
}

/** `state` and `pgrp` of a process, from /proc/<pid>/stat; undefined when it is gone. */
async function procStat(pid: string): Promise<{ state: string; pgrp: number } | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (!text) return undefined;
  // The command name (2nd field) may hold spaces and parentheses: the fields after it start past the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", pgrp: Number(fields[2]) };
}

/**
 * True while a process of group `pgid` is still running. Zombies do not
 * count: where the machine's init does not reap orphans (some containers),
 * a killed child's entry lingers although it no longer runs.
 */
export async function groupAlive(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  if (!(await hasProcfs())) return true;
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  const stats = await Promise.all(pids.map(procStat));
  return stats.some((s) => s !== undefined && s.pgrp === pgid && s.state !== "Z" && s.state !== "X");
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  let delay = 10;
  for (;;) {
    if (!(await groupAlive(pgid))) return true;
    if (Date.now() >= end) return false;
    await sleep(Math.min(delay, Math.max(1, end - Date.now())));
    delay = Math.min(delay * 2, 100);
  }
}

/**
 * Ends every process of group `pgid`: SIGTERM (and SIGCONT, so stopped
 * processes get it), then SIGKILL to what is left after `graceMs`.
 * Resolves once none of them runs (or SIGKILL had 2 s to act).
 */
export async function killGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, "SIGTERM")) return;
  signalGroup(pgid, "SIGCONT");
  if (await waitGone(pgid, graceMs)) return;
  signalGroup(pgid, "SIGKILL");
  await waitGone(pgid, 2000);
}
