/** Loads an app file for the `lit` command, without letting it start itself. */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { LightningApp } from "@lit-app/core";
import { lastConstructedApp } from "@lit-app/core/internal";
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
  const app = appOfModule(mod);
  if (!app) {
    throw new UsageError(
      `lit: ${file} does not build a LightningApp. End it with: export default new L.LightningApp(new YourFlow());`,
    );
  }
  return { app, url };
}

/**
 * The LightningApp an app module builds: its default export, else any export
 * that is one, else the last one constructed while it loaded.
 */
export function appOfModule(mod: Record<string, unknown>): LightningApp | undefined {
  return (
    (mod.default instanceof LightningApp ? mod.default : undefined) ??
    (Object.values(mod).find((v) => v instanceof LightningApp) as LightningApp | undefined) ??
    lastConstructedApp()
  );
}

/** Where a file failed to parse. */
interface SourcePosition {
  file: string;
  line: number;
  column: number;
  lineText?: string;
}

/** esbuild's first error, as tsx reports it on Node: `<file>:<line>:<column>: ERROR: <text>`, the column from 0. */
const ESBUILD_ERROR = /^(.+):(\d+):(\d+): ERROR: (.*)$/m;

/** Where the error says a file failed to parse, and why; undefined for any other error. */
function syntaxPosition(error: Error): (SourcePosition & { message: string }) | undefined {
  const position = (error as { position?: SourcePosition | null }).position;
  if (position?.file && position.line > 0) return { ...position, message: error.message };
  const esbuild = error.name === "TransformError" ? ESBUILD_ERROR.exec(error.message) : null;
  if (!esbuild) return undefined;
  const [, file, line, column, message] = esbuild as unknown as [string, string, string, string, string];
  let lineText: string | undefined;
  try {
    lineText = readFileSync(file, "utf8").split("\n")[Number(line) - 1];
  } catch {
    // Shown without its line.
  }
  return { file, line: Number(line), column: Number(column) + 1, message, ...(lineText === undefined ? {} : { lineText }) };
}

/**
 * A syntax error in the app's files, shown the same on each runtime: `file:line:column`,
 * then the line. Bun's BuildMessage has no stack, only a position; Node's (esbuild's,
 * through tsx) is buried in a stack of esbuild's own frames.
 */
function withSourcePosition(error: unknown): unknown {
  const position = error instanceof Error ? syntaxPosition(error) : undefined;
  if (!position) return error;
  const out = new SyntaxError(position.message, { cause: error });
  const gutter = " ".repeat(String(position.line).length);
  const source = position.lineText === undefined
    ? []
    : ["", `${position.line} | ${position.lineText}`, `${gutter} | ${" ".repeat(Math.max(0, position.column - 1))}^`];
  out.stack = [`SyntaxError: ${position.message}`, `    at ${position.file}:${position.line}:${position.column}`, ...source].join("\n");
  return out;
}
