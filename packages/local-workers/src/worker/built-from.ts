/**
 * Where the work program's own source files are when a thread runs it from a
 * build (Bun's built thread program, adapters/thread-program.ts), whose files
 * live elsewhere: the build's entry sets it before the program loads. The
 * program finds the framework's folders (to tell the user's stack frames from
 * its own) and resolves packages from there.
 */
const BUILT_FROM = Symbol.for("lit-app.workProgramBuiltFrom");

/** The file URL of `worker/boot.ts` this thread's program was built from; undefined when it runs from its source. */
export function builtFrom(): string | undefined {
  const value = (globalThis as Record<symbol, unknown>)[BUILT_FROM];
  return typeof value === "string" ? value : undefined;
}

/** The statement a build's entry starts with: says the program was built from `bootUrl` (a file URL). */
export function builtFromStatement(bootUrl: string): string {
  return `globalThis[Symbol.for(${JSON.stringify(BUILT_FROM.description)})] = ${JSON.stringify(bootUrl)};`;
}
