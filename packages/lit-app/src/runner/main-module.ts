/** The URL of the script this process was started with, on each runtime. */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { runtimeKind } from "@lit-app/runtime";

/** The main module's URL, or undefined when there is none (a REPL, `-e`). */
export function mainModuleUrl(): string | undefined {
  const g = globalThis as { Bun?: { main?: string }; Deno?: { mainModule?: string } };
  switch (runtimeKind()) {
    case "bun":
      return g.Bun?.main ? pathToFileURL(g.Bun.main).href : undefined;
    case "deno":
      return g.Deno?.mainModule;
    default:
      return process.argv[1] ? pathToFileURL(process.argv[1]).href : undefined;
  }
}
