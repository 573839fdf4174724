/** The name of a deployed app: given with `--name`, or made from the app folder's name. */
import { basename, dirname, resolve } from "node:path";
import { APP_NAME } from "@lit-app/gpu-agent";
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
