/**
 * The frames of a stack that are the user's: not the framework's own files,
 * not the runtime's internals. The framework's folders are found from where
 * this file is (`<base>/local-workers/src/...`, `<base>` being `packages` in
 * lit-app's repository or `node_modules/@lit-app` in an app), so that an app
 * whose own folders happen to be named like the framework's keeps its frames.
 */
import { serializeError, type SerializedError } from "@lit-app/core/internal";
import { builtFrom } from "./built-from.ts";

const FRAME = /^\s*at\s/;
/** A frame with a file, line and column (not `async Promise.all (index 0)`). */
const LOCATED = /:\d+:\d+\)?\s*$/;
const PACKAGES = ["core", "local-workers", "storage", "server", "lit-app"];
/**
 * Frames of the runtime itself, of the Node bundle's files where its source map is not applied, and of
 * Bun's built thread program (adapters/thread-program.ts).
 */
const RUNTIME = /\((?:node:|ext:|native|unknown|<anonymous>)|^\s*at\s+(?:async\s+)?(?:node:|ext:)|\/\.lit\/worker-[^/]*\/|\/thread-programs\/[0-9a-f]{16,}\//;

/** The folders holding the framework's files, from the path of a file of `@lit-app/local-workers`. */
export function frameworkDirs(self: string): string[] {
  const at = self.lastIndexOf("/local-workers/src/");
  if (at < 0) return [];
  const start = self.search(/\//);
  const base = self.slice(start, at);
  const parent = base.slice(0, base.lastIndexOf("/"));
  // In an app, lit-app itself is node_modules/lit-app, beside node_modules/@lit-app.
  return [...PACKAGES.map((p) => `${base}/${p}/src/`), `${parent}/lit-app/src/`];
}

const SELF = (new Error().stack ?? "").split("\n").find((l) => FRAME.test(l)) ?? "";
const DIRS = frameworkDirs((builtFrom() ?? SELF).replace("file://", ""));

/** The user's frames of `stack` (as `    at ...` lines), innermost first. */
export function userFrames(stack: string, dirs: readonly string[] = DIRS): string[] {
  return stack
    .split("\n")
    .filter((line) => FRAME.test(line))
    .map((line) => line.replace("file://", ""))
    .filter((line) => LOCATED.test(line) && !RUNTIME.test(line) && !dirs.some((dir) => line.includes(dir)));
}

/** `file:line:column` of a frame line, or the line without its `at`. */
export function frameLocation(frame: string): string {
  const inner = /\(([^()]+:\d+:\d+)\)\s*$/.exec(frame)?.[1] ?? /at\s+(?:async\s+)?(\S+:\d+:\d+)\s*$/.exec(frame)?.[1];
  return inner ?? frame.replace(/^\s*at\s+/, "");
}

/**
 * A work's error as its user is shown it: the stack keeps the user's frames
 * only. An error raised on purpose (it has a `code`) with none of them keeps
 * no stack, its message says what and where; any other error keeps its whole
 * stack, which is then about the framework itself.
 */
export function userError(error: unknown, dirs: readonly string[] = DIRS): SerializedError {
  const out = serializeError(error);
  if (!out.stack) return out;
  const lines = out.stack.split("\n");
  const first = lines.findIndex((line) => FRAME.test(line));
  const frames = userFrames(out.stack, dirs);
  if (first < 0 || frames.length > 0) {
    return { ...out, stack: first < 0 ? out.stack : [...lines.slice(0, first), ...frames].join("\n") };
  }
  if (out.code !== undefined) {
    const { stack: _frameworkFrames, ...rest } = out;
    return rest;
  }
  return out;
}
