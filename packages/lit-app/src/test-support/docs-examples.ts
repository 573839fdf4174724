/**
 * The docs' example files (apps/docs/examples/): the commands a page shows, read
 * from the same file the page includes, and the output a page shows, as a check
 * of what the command printed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { REPO } from "./app-process.ts";

/** apps/docs/examples/ */
export const DOCS_EXAMPLES = join(REPO, "apps/docs/examples");

/** The text of a docs example file (`own-machines/host.json`). */
export const docsExample = (file: string): string => readFileSync(join(DOCS_EXAMPLES, file), "utf8");

/**
 * The argv of the one command a docs example file shows (`npx lit run app.ts …` is
 * `["npx", "lit", "run", "app.ts", …]`): its one line that is not blank or a comment,
 * split at spaces (the examples quote nothing).
 */
export function docsCommand(file: string): string[] {
  const lines = docsExample(file).split("\n").filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  if (lines.length !== 1) throw new Error(`${file}: expected one command, found ${lines.length}`);
  const argv = lines[0]!.trim().split(/\s+/);
  if (argv[0] !== "npx" || argv[1] !== "lit") throw new Error(`${file}: expected an npx lit command, found ${lines[0]}`);
  return argv;
}

/**
 * A line of a sample output as a pattern: each run of digits stands for any
 * number (a pid, a time, a size), `…` for any text (a host's own name); the rest
 * is literal.
 */
export function sampleLinePattern(line: string): RegExp {
  const parts = line.split("…").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\d+/g, "\\d+"));
  return new RegExp(`^${parts.join(".*")}$`);
}

/**
 * Asserts that `printed` holds every line of the sample output `file` shows, in
 * the sample's order (other lines may come between them).
 */
export function expectSample(printed: readonly string[], file: string, transcript = printed.join("\n")): void {
  const sample = docsExample(file).split("\n").filter((l) => l !== "");
  let at = 0;
  for (const line of sample) {
    const pattern = sampleLinePattern(line);
    const found = printed.findIndex((p, i) => i >= at && pattern.test(p));
    expect(found, `${file}: no line like ${JSON.stringify(line)} after line ${at} of:\n${transcript}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}
