/**
 * An app constructed in a script that is run directly (`bun run app.ts`,
 * `deno run -A app.ts`) starts itself once the script has loaded. Loaded by
 * the `lit` command, a worker, an agent or a test, it does not.
 */
import process from "node:process";
import { setAutoStart, type LightningApp } from "@lit-app/core";
import { isEmbedded } from "./embedded.ts";
import { mainModuleUrl } from "./main-module.ts";
import { runApp } from "./run-app.ts";

let starting: LightningApp | undefined;

setAutoStart((app) => {
  if (isEmbedded() || process.env.VITEST || starting) return;
  const main = mainModuleUrl();
  if (!main) return;
  starting = app;
  setTimeout(() => {
    runApp(app, { appModule: main }).then(
      (result) => process.exit(result.exitCode),
      (error: unknown) => {
        process.stderr.write(`[lit-app] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(1);
      },
    );
  }, 0);
});
