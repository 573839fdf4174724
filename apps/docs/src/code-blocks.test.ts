/**
 * The rule of README.md: every code block of a page written by hand is an include of a file that exists
 * and that a test runs or checks (tested-examples.json names the test; the test names the file).
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { DOCS, REPO } from "../scripts/paths.ts";
import { codeIncludes, fencedBlocks, hasRegion, markdownIncludes, testedExamples, where, writtenPages } from "./test-support/pages.ts";

const pages = writtenPages();
const tested = testedExamples();
const testOf = new Map(Object.entries(tested).flatMap(([test, files]) => files.map((f) => [f, test] as const)));

describe("code blocks of the pages", () => {
  it("the pages are found: the home page, the guide and the reference", () => {
    const names = pages.map((p) => p.slice(DOCS.length + 1));
    expect(names).toContain("index.md");
    expect(names).toContain("reference/benchmarks.md");
    expect(names.filter((n) => n.startsWith("guide/")).length).toBeGreaterThan(0);
  });

  it("no page has a fenced code block: each is an include of a file", () => {
    const fenced = pages.flatMap((page) => fencedBlocks(readFileSync(page, "utf8")).map((line) => where(page, line)));
    expect(fenced, "write the code in a file and include it (<<< @/examples/...); see apps/docs/README.md").toEqual([]);
  });

  it("every include names a file that exists, and a #region that file has", () => {
    const wrong: string[] = [];
    for (const page of pages) {
      for (const inc of codeIncludes(page)) {
        if (!inc.file) wrong.push(`${where(page, inc.line)}: cannot read the include ${inc.path}`);
        else if (!existsSync(inc.file)) wrong.push(`${where(page, inc.line)}: ${inc.path} does not exist`);
        else if (inc.region && !hasRegion(readFileSync(inc.file, "utf8"), inc.region)) wrong.push(`${where(page, inc.line)}: ${inc.path} has no #region ${inc.region}`);
      }
      for (const inc of markdownIncludes(page)) {
        if (!existsSync(inc.file) && !inc.file.startsWith(join(DOCS, "reference/parts"))) wrong.push(`${where(page, inc.line)}: ${inc.file} does not exist`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("every included file is in tested-examples.json, under a test", () => {
    const untested = pages.flatMap((page) => codeIncludes(page).filter((inc) => inc.file && !testOf.has(inc.path)).map((inc) => `${where(page, inc.line)}: ${inc.path}`));
    expect(untested, "add each to apps/docs/tested-examples.json under the test that runs it").toEqual([]);
  });
});

describe("tested-examples.json", () => {
  it.each(Object.keys(tested))("%s exists and names each file it is listed with", (test) => {
    const file = join(REPO, test);
    expect(existsSync(file), `${test} does not exist`).toBe(true);
    const source = readFileSync(file, "utf8");
    const unnamed = tested[test]!.filter((path) => {
      expect(existsSync(join(DOCS, path)), `${path} does not exist`).toBe(true);
      // Below its examples folder: "schedule/run.sh", "workflow/app.ts"; its folder: "schedule".
      const below = path.replace(/^(\.\.\/\.\.\/)?examples\//, "");
      const folder = basename(dirname(below));
      return !source.includes(below) && !source.includes(`"${folder}"`);
    });
    expect(unnamed, `${test} does not name these files (by their path below examples/ or their folder's name)`).toEqual([]);
  });
});
