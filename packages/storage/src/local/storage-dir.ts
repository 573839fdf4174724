/** Where an app's works keep their files on this machine. */
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { workKey } from "./work-key.ts";

/**
 * The folder that holds the storage roots of an app's works:
 * `$LIT_STORAGE_DIR/<app name>` when that is set, else
 * `<the app file's folder>/.lit/storage/<app name>`. Each work's root is a
 * folder below it named by the work's dotted name; Drives are under `.drives`.
 */
export function appStorageDir(appModule: string, appName: string, base = process.env.LIT_STORAGE_DIR): string {
  const root = base ? resolve(base) : join(dirname(fileURLToPath(appModule)), ".lit", "storage");
  return join(root, workKey(appName));
}

/**
 * The folders that hold an app's storage folder and that lit-app made, innermost
 * first: `.lit/storage` and `.lit` beside the app, none under `$LIT_STORAGE_DIR`
 * (a folder the user chose). Once empty they are removed when the app ends.
 */
export function madeStorageParents(appModule: string, base = process.env.LIT_STORAGE_DIR): string[] {
  if (base) return [];
  const lit = join(dirname(fileURLToPath(appModule)), ".lit");
  return [join(lit, "storage"), lit];
}
