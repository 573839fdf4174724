/**
 * Whether a work's process is still the one the agent started: its pid is
 * alive, not a zombie, and (on Linux) started at the time recorded, so that
 * a pid reused by another program after a reboot is not taken for the work.
 */
import { readFileSync } from "node:fs";
import process from "node:process";

/** Fields of `/proc/<pid>/stat` after the command name: state and start time (clock ticks since boot). */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", startTime: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

/** The start time of `pid` as the system tells it (Linux), to recognise the process later. */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.startTime;
}

/** True when `pid` runs, is not a zombie, and started at `startTime` where that is known. */
export function processAlive(pid: number, startTime?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as { code?: string }).code !== "EPERM") return false;
  }
  const stat = procStat(pid);
  if (!stat) return true; // No /proc (macOS): the signal check is all there is.
  if (stat.state === "Z" || stat.state === "X") return false;
  return startTime === undefined || stat.startTime === startTime;
}

/**
 * Ends the process group `pid` leads (the work's process and what it started); false when it was gone.
 * Only the group is signalled, never the bare pid: once the group is gone, that pid may already be
 * another process's (pids are reused), and the user's other processes must not be hit.
 */
export function killGroup(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(-pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}
