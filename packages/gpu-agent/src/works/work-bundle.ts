/**
 * An app's work program for hosts: the work process (work-process.ts) and
 * the app's module bundled by esbuild into one ES module with its npm
 * dependencies, which `node` (≥ 20) and `bun` run as it is, so that the app
 * and the framework share one copy of the core. Named by its sha256: the
 * controller uploads it to `<home>/agent/programs/<hash>.mjs` unless the
 * host has it, and names it in `RemoteExecutor`'s `program`.
 */
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { appModuleFiles } from "@lit-app/local-workers";
import { buildNodeBundle } from "../node-bundle.ts";
import { appModuleKey } from "./module-keys.ts";

const WORK_PROCESS = fileURLToPath(new URL("./work-process.ts", import.meta.url));

/** A built work program. */
export interface WorkBundle {
  /** The bundle's bytes (an ES module). */
  code: Uint8Array;
  /** The sha256 of `code`, hex. */
  hash: string;
  /** `<hash>.mjs`: its name in the agent's program folder, what `program` names. */
  fileName: string;
  /** The files it was built from (absolute paths), for a build cache (a program taken from one has none). */
  inputs?: readonly string[];
}

/** Options of {@link buildWorkBundle}. */
export interface WorkBundleOptions {
  /** Compute names of the user's own that the `--host` rules map (`a100`): allowed in the works, as in the flow. */
  customComputes?: readonly string[];
}

/**
 * Builds the work program of the app whose module is the file `appPath`.
 * Before the app loads, the process moves to the app's folder on the host
 * (synced beside the module the flow names), so a CommandWork finds
 * `train.sh` there.
 */
export async function buildWorkBundle(appPath: string, options: WorkBundleOptions = {}): Promise<WorkBundle> {
  // A work created inside run() is rebuilt from the module of the app that exports its class: the flow names
  // it by its key (its path from the app's folder, module-keys.ts) wherever the flow runs, the bundle holds it under that key.
  const modules = await carriedAppModulesSource(appPath);
  const contents = [
    `import { allowComputeNames } from "@lit-app/core/internal";`,
    `import { runWorkProcess } from ${JSON.stringify(WORK_PROCESS)};`,
    // The works' storage is loaded on Bun through createRequire (not bundled): give it the bundled copy.
    `import * as __litStorageLocal from "@lit-app/storage/local";`,
    `import __litModule from "node:module";`,
    `{`,
    `  const create = __litModule.createRequire;`,
    `  __litModule.createRequire = (from) => {`,
    `    const req = create(from);`,
    `    return Object.assign((id) => (id === "@lit-app/storage/local" ? __litStorageLocal : req(id)), req);`,
    `  };`,
    `}`,
    `process.setSourceMapsEnabled?.(true);`,
    `allowComputeNames(${JSON.stringify(options.customComputes ?? [])});`,
    `const carried = ${modules};`,
    // The work's init (written by the agent) names the app's module on the host: its folder is the app's.
    `await runWorkProcess(() => import(${JSON.stringify(appPath)}), (key) => (Object.hasOwn(carried.modules, key) ? carried.modules[key]() : undefined), { appFolderAsCwd: true });`,
  ].join("\n");
  const { code, hash, inputs } = await buildNodeBundle({ source: { contents, resolveDir: dirname(appPath), sourcefile: "lit-work-program.ts" } });
  // This file too: the program's entry is written here, so a change to it must build the program again.
  return { code, hash, fileName: `${hash}.mjs`, inputs: [...inputs, CARRIED_MODULES_WRITER] };
}

/** This file, which writes {@link carriedAppModulesSource} and the work program's entry: an input of every program whose entry it writes. */
export const CARRIED_MODULES_WRITER = fileURLToPath(import.meta.url);

/**
 * The source of a CarriedAppModules expression (module-keys.ts) for the app whose
 * module is the file `appPath`, for a program's entry: esbuild bundles each
 * module it imports. An app esbuild cannot read carries its own module only.
 */
export async function carriedAppModulesSource(appPath: string): Promise<string> {
  // A program whose entry holds this source counts CARRIED_MODULES_WRITER among its build inputs.
  const files = await appModuleFiles(pathToFileURL(appPath).href).catch(() => [appPath]);
  const entries = files.map((path) => `${JSON.stringify(appModuleKey(appPath, path))}: () => import(${JSON.stringify(path)})`);
  return `{ app: ${JSON.stringify(appModuleKey(appPath, appPath))}, modules: { ${entries.join(", ")} } }`;
}
