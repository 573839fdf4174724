/**
 * An app constructed in a script that is run directly (`bun run app.ts`,
 * `deno run -A app.ts`) starts itself once the script has loaded. Loaded by
 * the `lit` command, a worker, an agent, a test runner (`bun test`,
 * `node --test`, vitest) or any other script that imports the app's file, it
 * does not: only an app built by the main module's own code starts.
 */
// First: the app's thread starts while the rest of lit-app and the app's file load.
import "./early-start.ts";
import process from "node:process";
import type { LightningApp } from "@lit-app/core";
import { setAutoStart } from "@lit-app/core/internal";
import { isEmbedded } from "./embedded.ts";
import { calledFromMainModule, mainModuleUrl } from "./main-module.ts";

let starting: LightningApp | undefined;

setAutoStart((app) => {
  if (isEmbedded() || process.env.VITEST || starting) return;
  const main = mainModuleUrl();
  // Only the app's own file, run as the program, starts it: not a script or a test runner that imports it.
  if (!main || !calledFromMainModule(main)) return;
  starting = app;
  setTimeout(() => {
    // The app runs in a thread of its own (this one only supervises it): loaded from the same file.
    import("./supervise.ts")
      .then(({ superviseApp }) => superviseApp(main))
      .then(
        (code) => process.exit(code),
        (error: unknown) => {
          process.stderr.write(`[lit-app] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
          process.exit(1);
        },
      );
  }, 0);
});
