/**
 * Whether a process still runs: its pid answers a signal, it is not a zombie
 * (where the machine's init does not reap orphans, a dead process's entry
 * lingers), and, when its start time was recorded, it started then, so that
 * a pid reused by another program (pids wrap; a reboot starts them again) is
 * not taken for it. The start time and state come from Linux's /proc; where
 * there is none (macOS), the signal's answer is all there is.
 */
import { readFileSync } from "node:fs";
import process from "node:process";

/** Fields of `/proc/<pid>/stat` after the command name: state and start time (clock ticks since boot). */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (2nd field) may hold spaces and parentheses: the fields after it start past the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", startTime: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

/**
 * The start time of `pid` as the system tells it (Linux), to recognise the
 * process later with {@link processAlive}; undefined where it cannot be read.
 */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.startTime || undefined;
}

/**
 * True when `pid` runs, is not a zombie, and started at `startTime` where
 * that is given and known.
 * @example
 * const lock = { pid: process.pid, startTime: processStartTime(process.pid) };
 * // later, in another process:
 * if (!processAlive(lock.pid, lock.startTime)) takeOver();
 */
export function processAlive(pid: number, startTime?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as { code?: string }).code !== "EPERM") return false;
  }
  const stat = procStat(pid);
  if (!stat) return true;
  if (stat.state === "Z" || stat.state === "X") return false;
  return startTime === undefined || stat.startTime === startTime;
}
