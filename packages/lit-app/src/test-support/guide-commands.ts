/**
 * The single-machine guides' own files (apps/docs/examples/<page>/): a command a page shows, run
 * here as the page tells the reader to (`bun`, `deno`, `npx lit`, `npx vitest`, with any
 * `NAME=value` before them), and the output a page shows, checked against what the command printed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { expect } from "vitest";
import { AppProcess, appEnv, REPO, type Exit } from "./app-process.ts";

const BIN = join(REPO, "node_modules", ".bin");
const LIT = join(REPO, "packages", "lit-app", "bin", "lit.mjs");

/** The text of a guide's file, e.g. `run/bun.sh`. */
export function guideFile(file: string): string {
  return readFileSync(join(REPO, "apps", "docs", "examples", file), "utf8");
}

/** A command a guide shows, as the program, arguments and environment that run it here. */
export interface GuideCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The one command a guide's `.sh` file shows (its one line that is not blank or a comment), with
 * `npx bun`/`bun`, `npx deno`/`deno`, `npx vitest` taken from the repository's node_modules and
 * `npx lit` run as `node bin/lit.mjs`.
 */
export function guideCommand(file: string): GuideCommand {
  const lines = guideFile(file)
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  if (lines.length !== 1) throw new Error(`${file}: expected one command, found ${lines.length}`);
  const words = lines[0]!.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0] ?? "")) {
    const [key, ...value] = words.shift()!.split("=");
    env[key!] = value.join("=");
  }
  if (words[0] === "npx") words.shift();
  const [program, ...args] = words;
  switch (program) {
    case "bun":
    case "deno":
    case "vitest":
      return { command: join(BIN, program), args, env };
    case "lit":
      return { command: process.execPath, args: [LIT, ...args], env };
    default:
      throw new Error(`${file}: a guide's command starts with bun, deno, npx lit or npx vitest, found ${lines[0]}`);
  }
}

/** Where and how a guide's command runs. */
export interface GuideRunOptions {
  /** The working directory; default the repository's root. */
  cwd?: string;
  /** More environment (e.g. LIT_HOME, so that commands find only this test's apps). */
  env?: Record<string, string>;
  /** How long it may run; default 60 s. */
  timeoutMs?: number;
}

/** Starts the command a guide's file shows. */
export function startGuideCommand(file: string, options: GuideRunOptions = {}): AppProcess {
  const { command, args, env } = guideCommand(file);
  return new AppProcess(command, args, appEnv({ ...options.env, ...env }), options.cwd ?? REPO);
}

/** Runs the command a guide's file shows to its end. */
export async function runGuideCommand(file: string, options: GuideRunOptions = {}): Promise<{ app: AppProcess; exit: Exit }> {
  const app = startGuideCommand(file, options);
  return { app, exit: await app.done(options.timeoutMs ?? 60_000) };
}

/** A line of a guide's sample output as a pattern: each run of digits stands for any number; the rest is literal. */
export function guideLinePattern(line: string): RegExp {
  return new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\d+/g, "\\d+")}$`);
}

/** How a printed output is held against a guide's sample. */
export interface GuideOutputOptions {
  /** Line for line (default); `false`: the sample's lines are among the printed ones. */
  exact?: boolean;
  /** With `exact: false`: in the sample's order (default), or in any order. */
  ordered?: boolean;
}

/**
 * Asserts that `printed` is the sample output a guide shows in `file`, line for line (numbers may
 * differ); with `exact: false`, that it holds the sample's lines, with others between.
 */
export function expectGuideOutput(printed: string, file: string, options: GuideOutputOptions = {}): void {
  const sample = guideFile(file).split("\n").filter((l) => l !== "");
  const lines = printed.split("\n").filter((l) => l !== "");
  if (options.exact ?? true) {
    expect(lines.length, `${file}: the sample has ${sample.length} lines; printed:\n${printed}`).toBe(sample.length);
    sample.forEach((line, i) => expect(lines[i], `${file}, line ${i + 1}; printed:\n${printed}`).toMatch(guideLinePattern(line)));
    return;
  }
  const ordered = options.ordered ?? true;
  let at = 0;
  for (const line of sample) {
    const found = lines.findIndex((p, i) => i >= (ordered ? at : 0) && guideLinePattern(line).test(p));
    expect(found, `${file}: no line like ${JSON.stringify(line)}${ordered ? ` after line ${at}` : ""} of:\n${printed}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}
