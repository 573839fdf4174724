/** Which JavaScript runtime this is, and its serving adapter. */
import type { Hono } from "hono";
import type { ServeAdapter } from "./types.ts";

/** The runtimes the server runs on. */
export type RuntimeName = "node" | "bun" | "deno";

/** The runtime this code runs on. */
export function runtimeName(): RuntimeName {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined) return "deno";
  return "node";
}

/** Loads the adapter of the current runtime (lazily: each imports runtime-only modules). */
export async function createAdapter(app: Hono<any>): Promise<ServeAdapter> {
  switch (runtimeName()) {
    case "bun":
      return (await import("./bun.ts")).bunAdapter();
    case "deno":
      return (await import("./deno.ts")).denoAdapter();
    default:
      return (await import("./node.ts")).nodeAdapter(app);
  }
}
