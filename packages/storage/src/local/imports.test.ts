/**
 * What each entry point of @lit-app/storage loads when it is imported: every
 * module reached by a static (non-type) import, read from the source. A work's
 * thread imports `@lit-app/storage/local`, and what it imports is the cost of
 * starting it: the transfer engine comes only with the first copy between roots.
 * The core is reached only from `./local`, whose errors are the core's.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { blank } from "../../../../scripts/source-rules.mjs";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** `import … from "x"`, `export … from "x"` and `import "x"`, but not `import type`/`export type`. */
const STATIC = /(?<![\w$.])(?:import|export)(?!\s+type\b)(?:\s+[^;'"`]*?\bfrom)?\s*(["'])([^"'\n]+)\1/g;

/** The files of this package (relative to src/) and the packages that `entry` loads statically. */
function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of blank(readFileSync(file, "utf8")).matchAll(STATIC)) {
      const spec = m[2]!;
      if (spec.startsWith(".")) visit(join(dirname(file), spec));
      else packages.add(spec);
    }
  };
  visit(join(src, entry));
  return { files: [...files].map((f) => relative(src, f)).sort(), packages: [...packages].sort() };
}

describe("what an import of @lit-app/storage loads", () => {
  it("./local: LocalStorage, its Drives and its errors, not the transfer engine", () => {
    const { files, packages } = staticGraph("local/index.ts");
    expect(files).toEqual([
      "errors.ts",
      "local/drive-claims.ts",
      "local/drive-store.ts",
      "local/engine.ts",
      "local/folders.ts",
      "local/index.ts",
      "local/local-storage.ts",
      "local/storage-dir.ts",
      "local/work-key.ts",
    ]);
    expect(packages.filter((p) => !p.startsWith("node:"))).toEqual(["@lit-app/core", "@lit-app/core/internal", "@lit-app/runtime"]);
  });

  it("the transfer engine and ./errors load neither the core nor LocalStorage", () => {
    for (const entry of ["index.ts", "errors.ts"]) {
      const { files, packages } = staticGraph(entry);
      expect(files.filter((f) => f.startsWith("local/"))).toEqual([]);
      expect(packages.filter((p) => p.startsWith("@lit-app/core"))).toEqual([]);
    }
    expect(staticGraph("index.ts").files).toContain("sync.ts");
  });

  it("reads type-only imports as loading nothing, and every other form as loading", () => {
    const specs = (code: string) => [...blank(code).matchAll(STATIC)].map((m) => m[2]);
    expect(specs('import type { A } from "a";\nexport type { B } from "b";\n// import "c";')).toEqual([]);
    expect(specs('import { d, type D } from "d";\nexport { e } from "e";\nimport "f";\nimport * as G from "g";\nexport * from "h";')).toEqual([
      "d",
      "e",
      "f",
      "g",
      "h",
    ]);
  });
});
