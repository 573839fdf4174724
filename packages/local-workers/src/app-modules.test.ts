import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appModuleFiles } from "./app-modules.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lit-modules-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

describe("appModuleFiles", () => {
  it("lists the app's module and the files it imports when it loads, not packages nor dynamic imports", async () => {
    write({
      "app.ts": `import * as L from "lit-app"; import { z } from "zod"; import { Greeter } from "./works.ts"; export * from "./lib/index.ts";\n` +
        `export const greeter = new Greeter();\nexport const later = () => import("./later.ts");\n`,
      "works.ts": `import "./lib/deep.ts"; export class Greeter {}\n`,
      "lib/index.ts": `export { Shouter } from "./shout.ts";\n`,
      "lib/shout.ts": `export class Shouter {}\n`,
      "lib/deep.ts": `import "../works.ts"; export const deep = 1;\n`,
      "later.ts": `export const later = 1;\n`,
    });
    const files = await appModuleFiles(pathToFileURL(join(dir, "app.ts")).href);
    expect(files[0]).toBe(join(dir, "app.ts"));
    expect([...files].sort()).toEqual(["app.ts", "lib/deep.ts", "lib/index.ts", "lib/shout.ts", "works.ts"].map((f) => join(dir, f)));
  });

  it("leaves out a module imported only for its types, as TypeScript does when the app loads", async () => {
    write({ "app.ts": `import { Greeter } from "./works.ts";\nexport let g: Greeter | undefined;\n`, "works.ts": `export class Greeter {}\n` });
    expect(await appModuleFiles(pathToFileURL(join(dir, "app.ts")).href)).toEqual([join(dir, "app.ts")]);
  });

  it("has only the app's module when esbuild cannot read the app", async () => {
    write({ "app.ts": `import "./works.ts";\nexport const = ;\n`, "works.ts": `export class Greeter {}\n` });
    expect(await appModuleFiles(pathToFileURL(join(dir, "app.ts")).href)).toEqual([join(dir, "app.ts")]);
  });
});
