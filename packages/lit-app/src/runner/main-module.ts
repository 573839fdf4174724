/// <reference types="bun-types" />
/// <reference types="deno" />
/** The URL of the script this process was started with, on each runtime, and whether code runs on its behalf. */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { runtimeKind } from "@lit-app/runtime";

/** The main module's URL, or undefined when there is none (a REPL, `-e`). */
export function mainModuleUrl(): string | undefined {
  switch (runtimeKind()) {
    case "bun":
      return Bun.main ? pathToFileURL(Bun.main).href : undefined;
    case "deno":
      return Deno.mainModule;
    default:
      return process.argv[1] ? pathToFileURL(process.argv[1]).href : undefined;
  }
}

/**
 * Whether the code running now was called from the main module's own code: a frame of the
 * current call stack is in the file `main` (a file URL), above the first frame of the runtime
 * itself (a module loader's, such as a CommonJS `require` from another file). Called while an
 * app is constructed, it tells the app file run directly (`bun run app.ts`: app.ts builds the
 * app) from an app file imported by another program (a script, `bun test`, `node --test`,
 * vitest, a tool), which is then the main module but builds no app itself: an ES module's
 * top-level code runs with no frame of the module that imported it.
 */
export function calledFromMainModule(main: string): boolean {
  const target = normalize(main);
  if (!target) return false;
  for (const file of stackFiles()) {
    if (file === undefined) return false;
    if (file === target) return true;
  }
  return false;
}

/** The file URL of each frame of the current stack, top first; undefined for a frame of the runtime itself. */
function stackFiles(): (string | undefined)[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 100;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  const files: (string | undefined)[] = [];
  for (const line of stack.split("\n")) {
    const frame = /^\s*at (?:.*? \()?(.+?)(?::\d+)?(?::\d+)?\)?$/.exec(line);
    if (frame) files.push(normalize(frame[1]!));
  }
  return files;
}

/** A frame's or the main module's location as a file URL; undefined for anything else (`node:internal/...`, `native`). */
function normalize(location: string): string | undefined {
  try {
    if (location.startsWith("file://")) return new URL(location).href;
    if (location.startsWith("/") || /^[A-Za-z]:[\\/]/.test(location)) return pathToFileURL(location).href;
  } catch {
    // not a location
  }
  return undefined;
}
