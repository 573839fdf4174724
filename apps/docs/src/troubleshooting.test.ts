/**
 * The docs' troubleshooting page (apps/docs/guide/15-troubleshooting.md) has an
 * entry for every error code the framework's source has, and none for a code it
 * no longer has. A code is a string literal `"E_…"` in a package's source
 * (packages/<name>/src, tests and their helpers left out); an entry is a heading
 * `### E_… {#E_…}`, so that each code has its own anchor. The private test-host
 * harness (@lit-app/test-hosts) is left out: its errors reach tests only.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DOCS, REPO } from "../scripts/paths.ts";

const PAGE = join(DOCS, "guide/15-troubleshooting.md");
/** Packages whose errors never reach a user. */
const NOT_USER_FACING = new Set(["test-hosts"]);
/** A code as a string literal; a prefix such as "E_DRIVE_" (used with startsWith) is not one. */
const CODE_LITERAL = /["'`](E_[A-Z0-9]+(?:_[A-Z0-9]+)*)["'`]/g;

/** The source files of a package: .ts under src/, without tests and test helpers. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "test-support" && entry.name !== "node_modules") out.push(...sourceFiles(path));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
      out.push(path);
    }
  }
  return out;
}

/** Every error code in the packages' source, with the first file that has it. */
function codesInSource(): Map<string, string> {
  const codes = new Map<string, string>();
  const packages = join(REPO, "packages");
  for (const name of readdirSync(packages).sort()) {
    if (NOT_USER_FACING.has(name)) continue;
    let files: string[];
    try {
      files = sourceFiles(join(packages, name, "src"));
    } catch {
      continue;
    }
    for (const file of files.sort()) {
      for (const match of readFileSync(file, "utf8").matchAll(CODE_LITERAL)) {
        if (!codes.has(match[1]!)) codes.set(match[1]!, file.slice(REPO.length + 1));
      }
    }
  }
  return codes;
}

/** The codes the page has an entry for: `### E_CODE {#E_CODE}`. */
function codesOnPage(text: string): { entries: string[]; badAnchors: string[] } {
  const entries: string[] = [];
  const badAnchors: string[] = [];
  for (const line of text.split("\n")) {
    const heading = /^#{2,4}\s+(E_[A-Z0-9_]+)\b(.*)$/.exec(line);
    if (!heading) continue;
    entries.push(heading[1]!);
    if (heading[2]!.trim() !== `{#${heading[1]}}`) badAnchors.push(line);
  }
  return { entries, badAnchors };
}

describe("the troubleshooting page", () => {
  const source = codesInSource();
  const page = codesOnPage(readFileSync(PAGE, "utf8"));

  it("finds the codes in the source (the scan works)", () => {
    // Codes of each kind of package: the core, the SSH layer, the agent, storage, the server, the lit command.
    for (const code of ["E_STATE_VALUE", "E_SSH_AUTH", "E_HOST_CONFIG", "E_INTEGRITY", "E_SERVER_PORT", "E_DEPLOY"]) {
      expect(source.has(code), code).toBe(true);
    }
    expect(source.has("E_DRIVE_")).toBe(false);
  });

  it("has an entry for every error code in the source", () => {
    const missing = [...source].filter(([code]) => !page.entries.includes(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing, "codes with no entry on apps/docs/guide/15-troubleshooting.md").toEqual([]);
  });

  it("lists no code the source no longer has, and each code once", () => {
    expect(page.entries.filter((code) => !source.has(code)), "entries for codes not in the source").toEqual([]);
    expect(page.entries.filter((code, i) => page.entries.indexOf(code) !== i), "codes listed twice").toEqual([]);
  });

  it("gives each entry its code as its anchor", () => {
    expect(page.badAnchors, "headings without {#CODE}").toEqual([]);
  });
});
