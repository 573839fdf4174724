/** The name of a deployed app: given with `--name`, or made from the app folder's name. */
import { basename, dirname, resolve } from "node:path";
import { APP_NAME } from "@lit-app/gpu-agent/app-spec";
import { UsageError } from "../cli/errors.ts";

/** The app folder's name as an app name (`My Model` → `my-model`). */
export function defaultAppName(appPath: string): string {
  const name = basename(dirname(resolve(appPath)))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 63);
  return name || "app";
}

/** Checks a `--name`. */
export function checkAppName(name: string, command: string): string {
  if (!APP_NAME.test(name)) {
    throw new UsageError(`lit ${command}: --name ${JSON.stringify(name)} is not an app name: use lowercase letters, digits, ".", "_", "-" (1-63, starting with a letter or digit).`);
  }
  return name;
}

/**
 * The folder name of the deployed app `name` on its hosts: its synced code
 * (`~/.lit/storage/folders/<it>`) and its storage (`~/.lit/storage/apps/<it>`),
 * so that apps deployed from one folder under two names stay apart.
 */
export function deployedFolderName(name: string): string {
  return `deployed-${name}`;
}

/** The key under which the agents of its hosts keep the deployed app `name`'s works: its storage folder, `apps/<folder>`. */
export function deployedAppKeyOf(name: string): string {
  return `apps/${deployedFolderName(name)}`;
}
