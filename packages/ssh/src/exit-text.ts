/**
 * How a command run over SSH ended, in words for an error message: its exit
 * status, the signal that ended it, or that the host sent neither.
 */
import type { ExecResult } from "./ssh-host.ts";

/**
 * @example
 * throw new Error(`mkdir failed (${exitText(r)})`); // "exit 1", "killed by SIGKILL"
 */
export function exitText(result: Pick<ExecResult, "code" | "signal">): string {
  if (result.code !== null) return `exit ${result.code}`;
  if (result.signal) return `killed by ${result.signal}`;
  return "ended without an exit status";
}
