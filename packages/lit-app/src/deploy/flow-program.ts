/**
 * A deployed app's flow program: the app's module, lit-app's runner, the
 * app server (with its UI's files) and the agent's client in one ES module (esbuild, as the work
 * program) that the host's agent runs with `node` (≥ 20) or `bun`; named by
 * its sha256 and uploaded to `~/.lit/bundles/<hash>.mjs` unless the host has it.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cachedProgram, programCacheDir } from "../remote/program-cache.ts";

/** A built flow program. */
export interface FlowProgram {
  code: Uint8Array;
  hash: string;
  /** The files it was built from (absolute paths), for the build cache (program-cache.ts). */
  inputs?: readonly string[];
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * Builds the flow program of the app whose module is `appPath` (a file here).
 * @param customComputes compute names of the user's own that the `--host` rules map (`a100`)
 */
export async function buildFlowProgram(appPath: string, customComputes: readonly string[] = []): Promise<FlowProgram> {
  const { buildNodeBundle, CARRIED_MODULES_WRITER, carriedAppModulesSource } = await import("@lit-app/gpu-agent");
  // The UI's files go along: the bundle has no folder of them beside it on the host.
  const { ASSET_DIRS, readUiAssets } = await import("@lit-app/server");
  const assets = readUiAssets();
  const contents = [
    // First: the app's file, loaded below, must not start itself.
    `import ${JSON.stringify(here("./flow-embedded.ts"))};`,
    `import { allowComputeNames } from "@lit-app/core/internal";`,
    `import { runDeployedFlow } from ${JSON.stringify(here("./flow-main.ts"))};`,
    `process.setSourceMapsEnabled?.(true);`,
    `allowComputeNames(${JSON.stringify(customComputes)});`,
    // The app's modules, by the keys the work program knows them by: the flow names the module of a work's class by its key.
    `const modules = ${await carriedAppModulesSource(appPath)};`,
    `try {`,
    `  await runDeployedFlow(() => import(${JSON.stringify(appPath)}), ${JSON.stringify(assets)}, modules);`,
    `} catch (error) {`,
    `  process.stderr.write("[lit-app] the flow could not run: " + (error instanceof Error ? (error.stack ?? error.message) : String(error)) + "\\n");`,
    `  process.exit(1);`,
    `}`,
  ].join("\n");
  const bundle = await buildNodeBundle({ source: { contents, resolveDir: dirname(appPath), sourcefile: "lit-flow-program.ts" } });
  // The UI's files are read here, not by esbuild: the build cache looks at them too, and at their folders (a file added or removed).
  const uiFiles = Object.keys(assets).map((path) => {
    const [folder, file] = path.split("/") as [keyof typeof ASSET_DIRS, string];
    return join(ASSET_DIRS[folder], file);
  });
  // This file too, and the one that writes the app's modules' map: the program's entry is written by them,
  // so a change to either must build the program again.
  return { ...bundle, inputs: [...bundle.inputs, ...Object.values(ASSET_DIRS), ...uiFiles, fileURLToPath(import.meta.url), CARRIED_MODULES_WRITER] };
}

/**
 * The flow program of the app at `appPath`, from this machine's program cache
 * when none of the files it was built from changed (see program-cache.ts);
 * `built` says whether it was built now.
 * @param root the cache folder (default `$LIT_HOME/cache/programs`)
 */
export async function flowProgramCached(appPath: string, customComputes: readonly string[] = [], root = programCacheDir()): Promise<FlowProgram & { built: boolean }> {
  const { code, hash, built } = await cachedProgram({ kind: "flow", appPath, customComputes }, () => buildFlowProgram(appPath, customComputes), root);
  return { code, hash, built };
}
