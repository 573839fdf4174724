/** Which JavaScript runtime this is: the one place in lit-app that asks. */

/** The runtimes lit-app runs on. */
export type RuntimeKind = "bun" | "deno" | "node";

/**
 * Tells the runtime this code runs on, from the globals each one defines
 * (`Bun`, `Deno`; neither is Node). Bun also defines `process.versions.node`,
 * which is why that is not asked.
 */
export function runtimeKind(): RuntimeKind {
  if ("Bun" in globalThis) return "bun";
  if ("Deno" in globalThis) return "deno";
  return "node";
}
