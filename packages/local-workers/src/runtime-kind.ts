/** Which JavaScript runtime this is: the one place that asks. */

/** The runtimes lit-app runs on. */
export type RuntimeKind = "bun" | "deno" | "node";

/** Tells the runtime this code runs on. */
export function runtimeKind(): RuntimeKind {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  return "node";
}
