/**
 * The app's thread, started as soon as lit-app loads in a program whose own
 * file builds an app (`bun run app.ts`): it loads the runner, the works'
 * executor and the core while this thread is still evaluating the app's file,
 * instead of after it. Imported before the rest of lit-app (through
 * auto-start.ts), so that it starts as early as it can.
 *
 * A guess, from the main module's source: it constructs a `LightningApp`.
 * Should no app start after all (a script that builds one and only tests it),
 * the thread, which holds nothing, does not keep the process alive. Not on
 * Deno, whose workers always do; nor under a test runner.
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runtimeKind } from "@lit-app/runtime";
import { spawnAppThread, type AppThread, type AppThreadPrepare } from "./app-thread-handle.ts";
import { isEmbedded } from "./embedded.ts";
import { mainModuleUrl } from "./main-module.ts";

let early: Promise<AppThread> | undefined;

/** Under vitest or `node --test`: test files build apps that they do not run (under `bun test` too, unseen). */
function underTestRunner(): boolean {
  return Boolean(process.env.VITEST || process.env.NODE_TEST_CONTEXT);
}

/** Whether the source of the main module (a file URL) constructs a LightningApp. */
function buildsAnApp(main: string): boolean {
  try {
    return /\bLightningApp\s*\(/.test(readFileSync(fileURLToPath(main), "utf8"));
  } catch {
    return false;
  }
}

/** Starts the app's thread now when this program looks like an app run directly (see the module's doc). */
export function startAppThreadEarly(): void {
  if (early || isEmbedded() || underTestRunner() || runtimeKind() === "deno") return;
  const main = mainModuleUrl();
  if (!main?.startsWith("file:") || !buildsAnApp(main)) return;
  early = spawnAppThread().then((thread) => {
    thread.keepAlive(false);
    return thread;
  });
  // Reported, if it ever is used, by whoever takes it.
  early.catch(() => undefined);
}

/**
 * The app's thread: the one started early, which from now on keeps the process alive, or a new one.
 * @param prepare what a new thread may load while the app's module is still loading here
 */
export async function takeAppThread(prepare?: AppThreadPrepare): Promise<AppThread> {
  const started = early;
  early = undefined;
  if (!started) return spawnAppThread(prepare);
  const thread = await started;
  thread.keepAlive(true);
  return thread;
}

startAppThreadEarly();
