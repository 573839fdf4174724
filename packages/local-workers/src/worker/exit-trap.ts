/**
 * `process.exit()` (or `Deno.exit()`) called by a work ends its whole
 * thread (or its process, with `isolation: "process"`). The work's failure then says where in the user's code it was
 * called: the exit functions of the work's thread are wrapped so that they
 * report the caller's stack, without the framework's frames, before the
 * thread ends.
 */
/// <reference types="deno" />
import type { SerializedError } from "@lit-app/core/internal";
import { inOwnProcess } from "./own-process.ts";
import { frameLocation, userFrames } from "./user-frames.ts";

type Exit = (code?: number | string | null) => never;

/** Replaces the exit functions of this thread with ones that call `report` first. */
export function trapExit(report: (error: SerializedError, code: number | undefined) => void): void {
  let reported = false;
  const wrap = (name: string, exit: Exit): Exit =>
    function exitTrap(code) {
      // Node ends a worker whose code threw where nothing catches it (a timer, an event) with a bare
      // process.exit() after marking the process as exiting: that is the error's report, not the work's call.
      const uncaught = (code === undefined || code === null) && (process as { _exiting?: boolean })._exiting === true;
      if (!reported && !uncaught) {
        reported = true;
        const status = exitCode(code);
        report(exitError(name, status, new Error().stack ?? ""), status);
      }
      return exit(code);
    } as Exit;
  process.exit = wrap("process.exit", process.exit.bind(process));
  if ("Deno" in globalThis) {
    try {
      const deno = Deno as unknown as { exit: Exit };
      deno.exit = wrap("Deno.exit", deno.exit.bind(deno));
    } catch {
      // A read-only Deno.exit: process.exit is still trapped.
    }
  }
}

function exitCode(code: number | string | null | undefined): number | undefined {
  if (code === undefined || code === null) return process.exitCode === undefined ? undefined : Number(process.exitCode);
  const n = Number(code);
  return Number.isInteger(n) ? n : undefined;
}

/** The failure of a work whose code called `name(code)`; `stack` is taken inside the trap. */
export function exitError(name: string, code: number | undefined, stack: string, dirs?: readonly string[]): SerializedError {
  const unit = inOwnProcess() ? "process" : "thread";
  const frames = userFrames(stack, dirs);
  const call = `${name}(${code ?? ""})`;
  const where = frames[0] ? ` at ${frameLocation(frames[0])}` : "";
  const message =
    `the work's ${unit} ended with exit code ${code ?? 0}: ${call} was called${where}. ` +
    `To end a call, return from run() or throw an Error; ${name}() in a work ends its whole ${unit}.`;
  return { name: "WorkExitError", message, stack: [`WorkExitError: ${message}`, ...frames].join("\n") };
}
