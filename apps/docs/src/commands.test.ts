/**
 * The guide's commands that no app test runs: `npm install lit-app` (examples/run/install.sh) must name
 * the package the repository publishes, the one with the `lit` command.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { DOCS, REPO } from "../scripts/paths.ts";

it("run/install.sh installs the package lit-app is published as, with its lit command", () => {
  const command = readFileSync(join(DOCS, "examples/run/install.sh"), "utf8").trim();
  const pkg = JSON.parse(readFileSync(join(REPO, "packages/lit-app/package.json"), "utf8")) as { name: string; private?: boolean; bin?: Record<string, string> };
  expect(command).toBe(`npm install ${pkg.name}`);
  expect(pkg.private).not.toBe(true);
  expect(Object.keys(pkg.bin ?? {})).toContain("lit");
});
