/** The serving adapter of the JavaScript runtime this is. */
import { runtimeKind } from "@lit-app/runtime";
import type { Hono } from "hono";
import type { ServeAdapter } from "./types.ts";

/** Loads the adapter of the current runtime (lazily: each imports runtime-only modules). */
export async function createAdapter(app: Hono<any>): Promise<ServeAdapter> {
  switch (runtimeKind()) {
    case "bun":
      return (await import("./bun.ts")).bunAdapter();
    case "deno":
      return (await import("./deno.ts")).denoAdapter();
    default:
      return (await import("./node.ts")).nodeAdapter(app);
  }
}
