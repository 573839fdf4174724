/**
 * Processes seen through /proc: the ones of a Unix user, their start times
 * (so a recorded pid is not confused with a reused one), and kill -9 by pid.
 */
import { readdirSync, readFileSync } from "node:fs";
import { TestHostsTimeoutError } from "./errors.ts";

/** One process of a host's user. */
export interface ProcessInfo {
  readonly pid: number;
  /** Its command line, arguments joined by spaces. */
  readonly args: string;
}

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** The real uid of a process, or undefined when it is gone. */
function uidOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}

/** The live (not zombie) processes whose real uid is `uid`. */
export function processesOf(uid: number): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const pid of allPids()) {
    if (uidOf(pid) !== uid || isZombie(pid)) continue;
    let args = "";
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    } catch {
      continue;
    }
    found.push({ pid, args });
  }
  return found;
}

/** The start time of a process (clock ticks since boot), or undefined when it is gone. */
export function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** Whether a process lives (a zombie does not). */
export function isAlive(pid: number): boolean {
  return !isZombie(pid);
}

/** Sends SIGKILL to each pid; a pid already gone is skipped. */
export function killPids(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Waits until none of `pids` lives. */
export async function waitGone(pids: readonly number[], where: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) throw new TestHostsTimeoutError(where, `the exit of processes ${pids.filter(isAlive).join(", ")}`, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Kills every process of `uid` with SIGKILL, again until none is left (a dying parent may have just forked). */
export async function killUser(uid: number, where: string, match?: RegExp): Promise<number[]> {
  const killed = new Set<number>();
  for (let round = 0; round < 50; round++) {
    const targets = processesOf(uid).filter((p) => !match || match.test(p.args));
    if (targets.length === 0) break;
    for (const p of targets) killed.add(p.pid);
    killPids(targets.map((p) => p.pid));
    await waitGone(
      targets.map((p) => p.pid),
      where,
    );
    if (match) break; // a filtered kill does not chase new processes
  }
  return [...killed];
}
