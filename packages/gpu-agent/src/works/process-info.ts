/**
 * Ending a work's process group. (Whether a work's process is still the one
 * the agent started is `processAlive` of `@lit-app/runtime`.)
 */
import process from "node:process";

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
