/**
 * The program cache with real esbuild builds: an app's work program and flow
 * program built once are found again while none of the files they were built
 * from changed (nothing built, nothing written), and built again when one of
 * the app's files changes or the kept file does not check out.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CARRIED_MODULES_WRITER } from "@lit-app/gpu-agent";
import { ASSET_DIRS } from "@lit-app/server";
import { buildFlowProgram, flowProgramCached } from "../deploy/flow-program.ts";
import { fixture } from "../test-support/app-process.ts";
import { workProgramCached } from "./work-bundle.ts";

let dir: string;
let cache: string;
let app: string;

/** The cache folder's files with their modification times. */
async function files(): Promise<Record<string, number>> {
  const names = (await readdir(cache)).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, (await stat(join(cache, n))).mtimeMs] as const)));
}

beforeAll(async () => {
  // Among the fixtures: the app resolves lit-app and its packages as an app in the repository does.
  dir = await mkdtemp(join(fixture(""), "program-cache-"));
  cache = await mkdtemp(join(tmpdir(), "lit-program-cache-"));
  app = join(dir, "app.ts");
  await writeFile(join(dir, "greeting.ts"), `export const greeting = "hello";\n`);
  await writeFile(
    app,
    [
      `import * as L from "lit-app";`,
      `import { greeting } from "./greeting.ts";`,
      `class Greeter extends L.LightningWork { run() { console.log(greeting); } }`,
      `class Root extends L.LightningFlow { greeter = new Greeter(); run() { this.greeter.run(); } }`,
      `export default new L.LightningApp(new Root());`,
    ].join("\n"),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(cache, { recursive: true, force: true });
});

describe("program cache", () => {
  it("builds an app's programs once, finds them again while its files are unchanged, and builds again when one changes", async () => {
    const work = await workProgramCached(app, [], cache);
    const flow = await flowProgramCached(app, [], cache);
    expect([work.built, flow.built]).toEqual([true, true]);
    expect(new TextDecoder().decode(flow.code)).toContain(`"hello"`);
    const kept = await files();
    // A record and a built file per program, the built one named by its hash.
    expect(Object.keys(kept).filter((n) => n.endsWith(".mjs")).sort()).toEqual([`${flow.hash}.mjs`, work.fileName].sort());
    expect(Object.keys(kept).filter((n) => n.endsWith(".json"))).toHaveLength(2);

    // Unchanged: both from the cache, the same bytes, and no file of the cache written again.
    const again = [await workProgramCached(app, [], cache), await flowProgramCached(app, [], cache)];
    expect(again.map((p) => p.built)).toEqual([false, false]);
    expect(again.map((p) => p.hash)).toEqual([work.hash, flow.hash]);
    expect(Buffer.from(again[1]!.code).equals(Buffer.from(flow.code))).toBe(true);
    const after = await files();
    expect(Object.keys(after)).toEqual(Object.keys(kept));
    for (const name of Object.keys(kept).filter((n) => n.endsWith(".json"))) expect(after[name]).toBe(kept[name]);

    // Other compute names: another program, built.
    expect((await workProgramCached(app, ["a100"], cache)).built).toBe(true);

    // One of the app's files changed: both built again, with the new code.
    await writeFile(join(dir, "greeting.ts"), `export const greeting = "hello again";\n`);
    const changed = [await workProgramCached(app, [], cache), await flowProgramCached(app, [], cache)];
    expect(changed.map((p) => p.built)).toEqual([true, true]);
    expect(changed[0]!.hash).not.toBe(work.hash);
    expect(new TextDecoder().decode(changed[1]!.code)).toContain(`"hello again"`);
    expect((await flowProgramCached(app, [], cache)).built).toBe(false);
  }, 120_000);

  it("looks at the UI's files the flow program carries (read beside esbuild), and their folders", async () => {
    const { inputs } = await buildFlowProgram(app, []);
    expect(inputs).toContain(join(ASSET_DIRS.ui, "index.html"));
    expect(inputs).toContain(ASSET_DIRS.client);
    // And the file that writes the map of the app's modules into its entry (a change there changes the program).
    expect(inputs).toContain(CARRIED_MODULES_WRITER);
  }, 120_000);

  it("builds again when the kept file does not check out", async () => {
    const first = await flowProgramCached(app, [], cache);
    const file = join(cache, `${first.hash}.mjs`);
    const bytes = await readFile(file);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
    await writeFile(file, bytes);
    const rebuilt = await flowProgramCached(app, [], cache);
    expect(rebuilt.built).toBe(true);
    expect(rebuilt.hash).toBe(first.hash);
    expect(Buffer.from(await readFile(file)).equals(Buffer.from(rebuilt.code))).toBe(true);
  }, 120_000);
});
