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
  const mod = (await import(url).catch((error: unknown) => {
    throw withSourcePosition(error);
  })) as Record<string, unknown>;
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

/** Where Bun says a file failed to parse (its BuildMessage has no stack, only this). */
interface SourcePosition {
  file: string;
  line: number;
  column: number;
  lineText?: string;
}

/**
 * Bun reports a syntax error in an imported file as a BuildMessage whose
 * stack is empty and whose position says where: made into a SyntaxError that
 * shows `file:line:column` and the line, as Node and Deno do.
 */
function withSourcePosition(error: unknown): unknown {
  const position = (error as { position?: SourcePosition | null } | null)?.position;
  if (!(error instanceof Error) || !position?.file || !(position.line > 0)) return error;
  const out = new SyntaxError(error.message, { cause: error });
  const gutter = " ".repeat(String(position.line).length);
  const source = position.lineText === undefined
    ? []
    : ["", `${position.line} | ${position.lineText}`, `${gutter} | ${" ".repeat(Math.max(0, position.column - 1))}^`];
  out.stack = [`SyntaxError: ${error.message}`, `    at ${position.file}:${position.line}:${position.column}`, ...source].join("\n");
  return out;
}
