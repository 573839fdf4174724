/** Loads an app file for the `lit` command, without letting it start itself. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { LightningApp, lastConstructedApp } from "@lit-app/core";
import { setEmbedded } from "../runner/embedded.ts";
import { UsageError } from "./errors.ts";

/** The app a file builds, and the URL workers load it from. */
export interface LoadedApp {
  app: LightningApp;
  url: string;
}

/** Imports `file` and returns the LightningApp it builds. */
export async function loadApp(file: string): Promise<LoadedApp> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`lit: no such app file: ${path}`);
  setEmbedded();
  const url = pathToFileURL(path).href;
  const mod = (await import(url)) as Record<string, unknown>;
  const app =
    (mod.default instanceof LightningApp ? mod.default : undefined) ??
    (Object.values(mod).find((v) => v instanceof LightningApp) as LightningApp | undefined) ??
    lastConstructedApp();
  if (!app) {
    throw new UsageError(
      `lit: ${file} does not build a LightningApp. End it with: export default new L.LightningApp(new YourFlow());`,
    );
  }
  return { app, url };
}
