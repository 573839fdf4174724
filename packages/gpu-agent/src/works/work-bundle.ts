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

const WORK_PROCESS = fileURLToPath(new URL("./work-process.ts", import.meta.url));

/** A built work program. */
export interface WorkBundle {
  /** The bundle's bytes (an ES module). */
  code: Uint8Array;
  /** The sha256 of `code`, hex. */
  hash: string;
  /** `<hash>.mjs`: its name in the agent's program folder, what `program` names. */
  fileName: string;
}

/** Builds the work program of the app whose module is the file `appPath`. */
export async function buildWorkBundle(appPath: string): Promise<WorkBundle> {
  // A work created inside run() is rebuilt from the module of the app that exports its class: the flow names
  // it by its file URL on the flow's machine, the bundle holds it under that URL.
  const modules = (await appModuleFiles(pathToFileURL(appPath).href).catch(() => [appPath])).filter((path) => path !== appPath);
  const moduleMap = modules.map((path) => `${JSON.stringify(pathToFileURL(path).href)}: () => import(${JSON.stringify(path)})`);
  const { code, hash } = await buildNodeBundle({
    source: {
      contents:
        `process.setSourceMapsEnabled?.(true);\n` +
        `import { runWorkProcess } from ${JSON.stringify(WORK_PROCESS)};\n` +
        `const modules = {${moduleMap.join(", ")}};\n` +
        `await runWorkProcess(() => import(${JSON.stringify(appPath)}), (url) => modules[url]?.() ?? import(url));\n`,
      resolveDir: dirname(appPath),
      sourcefile: "lit-work-program.ts",
    },
  });
  return { code, hash, fileName: `${hash}.mjs` };
}
