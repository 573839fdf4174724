/** The serving adapter of the JavaScript runtime this is. */
import { runtimeKind } from "@lit-app/runtime";
import type { Hono } from "hono";
import type { ServeAdapter } from "./types.ts";

/**
 * Loads the adapter of the current runtime (lazily: each imports runtime-only
 * modules). The agent runs on Node (≥ 20) and Bun; Deno takes Node's path
 * through its Node compatibility, which hosts do not need.
 */
export async function createServeAdapter(app: () => Hono<any>): Promise<ServeAdapter> {
  if (runtimeKind() === "bun") return (await import("./bun.ts")).bunAdapter();
  return (await import("./node.ts")).nodeAdapter(app);
}
