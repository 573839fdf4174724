/**
 * The core is pure: no `node:*`, Bun or Deno import, no `process`, no timers,
 * no `require`. The same rules back `npm run lint` at the repository root.
 */
import { describe, expect, it } from "vitest";
import { checkPurity, enums, impurities, sourceFiles } from "../../../scripts/source-rules.mjs";

const srcDir = decodeURIComponent(new URL(".", import.meta.url).pathname);

describe("the core's purity", () => {
  it("no source file of packages/core/src (tests excepted) uses anything runtime-specific", () => {
    const files = sourceFiles(srcDir, { tests: false });
    expect(files.length).toBeGreaterThan(20);
    expect(files.some((f) => f.endsWith("app-engine.ts"))).toBe(true);
    expect(files.some((f) => f.endsWith("testing/in-process-executor.ts"))).toBe(true);
    expect(files.some((f) => f.endsWith(".test.ts"))).toBe(false);
    expect(checkPurity(srcDir)).toEqual([]);
  });

  const forbidden: [string, string][] = [
    ['import { readFile } from "node:fs/promises";', 'imports "node:fs/promises"'],
    ["import fs from 'fs';", 'imports "fs"'],
    ['import type { Worker } from "worker_threads";', 'imports "worker_threads"'],
    ['export { serve } from "bun";', 'imports "bun"'],
    ['import { Database } from "bun:sqlite";', 'imports "bun:sqlite"'],
    ['import "deno";', 'imports "deno"'],
    ['const os = await import("node:os");', 'imports "node:os"'],
    ['const path = require("path");', "uses require()"],
    ["const file = Bun.file(path);", "uses Bun.*"],
    ["const env = Deno.env.get('HOME');", "uses Deno.*"],
    ["const home = process.env.HOME;", "uses process.*"],
    ["setTimeout(() => wake(), 10);", "uses setTimeout"],
    ["const id = globalThis.setInterval(tick, 1000);", "uses setInterval"],
    ["const t = `${process.pid}`;", "uses process.*"],
  ];
  for (const [code, message] of forbidden) {
    it(`finds: ${code}`, () => {
      const found = impurities(`// header\n${code}\n`);
      expect(found.map((f) => f.message).join("\n")).toContain(message);
      expect(found[0]?.line).toBe(2);
    });
  }

  it("ignores the same words in comments, strings, templates, regexes and member names", () => {
    const source = [
      "/** Runs in a worker process. Never calls setTimeout; see process.env in the docs. */",
      "// import fs from 'node:fs'",
      'const message = "it runs in its own process. Bun.file and Deno.env are not used";',
      "const text = `setTimeout(${count}) in process.`;",
      "const re = /process\\.env|require\\(/;",
      "const ok = worker.process.pid + clock.setTimeout;",
      'import { track } from "./tracking.ts";',
    ].join("\n");
    expect(impurities(source)).toEqual([]);
  });

  it("an enum declaration is found; a word 'enum' in text is not", () => {
    expect(enums("export enum Stage { A, B }\nconst enum X { Y }")).toEqual([
      { line: 1, message: expect.stringContaining("declares an enum") },
      { line: 2, message: expect.stringContaining("declares an enum") },
    ]);
    expect(enums('/** no enum Stage { } here */ const s = "enum Z {";')).toEqual([]);
  });
});
