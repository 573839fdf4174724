/** Headless Debian chromium for the server's browser tests. */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";

/** Where the docs' screenshots go. */
export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), "../../../../apps/docs/public/screenshots");

/**
 * Path of a docs screenshot when they are asked for (`LIT_SCREENSHOTS=1`,
 * as `npm run screenshots` does; the folder is created), else undefined: the
 * page is still captured, but a test run leaves the tree as it was.
 */
export function screenshotPath(name: string): string | undefined {
  if (!process.env.LIT_SCREENSHOTS || process.env.LIT_SCREENSHOTS === "0") return undefined;
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, name);
}

/** Launches /usr/bin/chromium headless. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`no chromium at ${executablePath}: install it with 'apt-get update && apt-get install -y chromium' (or set CHROMIUM_PATH).`);
  }
  return chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
