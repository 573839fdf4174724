/**
 * The processes an app started and left behind: a work's child process whose
 * work ignored stop, or whose thread had to be ended. They are this process's
 * descendants; the last thing an app does is end them.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

/** pid → parent pid of every process, from /proc (Linux) or `ps` (macOS, BSD); empty where neither answers. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  if (process.platform === "linux") {
    let entries: string[] = [];
    try {
      entries = readdirSync("/proc");
    } catch {
      return out;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        // The command name may hold spaces and parentheses: the fields after it start past the last ")".
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (fields[0] !== "Z" && fields[0] !== "X") out.set(Number(entry), Number(fields[1]));
      } catch {
        // Gone meanwhile.
      }
    }
    return out;
  }
  if (process.platform === "win32") return out;
  const ps = spawnSync("ps", ["-A", "-o", "pid=", "-o", "ppid="], { encoding: "utf8" });
  for (const line of (ps.stdout ?? "").split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid && ppid !== undefined) out.set(pid, ppid);
  }
  return out;
}

/**
 * The children of `pid` from /proc/<pid>/task/<tid>/children (Linux): a few small files rather than
 * every process's; undefined where the kernel does not list them.
 */
function listedChildren(pid: number): number[] | undefined {
  if (process.platform !== "linux") return undefined;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const task of tasks) {
    let listed: string;
    try {
      listed = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && task === String(pid)) return undefined;
      continue;
    }
    for (const child of listed.split(" ")) if (child.trim()) out.push(Number(child));
  }
  return out;
}

/** The live processes below `pid`: its children, their children, and so on. */
export function descendantsOf(pid: number): number[] {
  const listed = listedChildren(pid);
  if (listed) {
    const out: number[] = [];
    for (let queue = listed; queue.length > 0; ) {
      out.push(...queue);
      queue = queue.flatMap((child) => listedChildren(child) ?? []);
    }
    return out;
  }
  const children = new Map<number, number[]>();
  for (const [child, parent] of parents()) {
    const list = children.get(parent) ?? [];
    list.push(child);
    children.set(parent, list);
  }
  const out: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Ends, with SIGKILL, every process below this one; returns how many there were. */
export function killDescendants(): number {
  const pids = descendantsOf(process.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  return pids.length;
}
