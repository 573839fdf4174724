/**
 * The program an app's works run on a host: the agent's work process with
 * the app's module and its npm dependencies inside, one ES module that
 * `node` (≥ 20) and `bun` run as it is (one copy of the framework for the
 * app and the work). Named by its sha256, uploaded to the agent's program
 * folder unless the host has it. Before the app loads, the process moves to
 * the app's folder on the host (synced beside the module the flow names),
 * so a CommandWork finds `train.sh` there, and the compute names the
 * `--host` rules introduce are allowed, as in the flow's thread.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { cachedProgram, programCacheDir } from "./program-cache.ts";

/** A built work program. */
export interface WorkProgram {
  code: Uint8Array;
  hash: string;
  /** `<hash>.mjs`: its name in the agent's program folder. */
  fileName: string;
  /** The files it was built from (absolute paths), for the build cache (program-cache.ts). */
  inputs?: readonly string[];
}

/** The agent's work process (gpu-agent's works/work-process.ts), found beside its package's entry. */
function workProcessFile(): string {
  const entry = createRequire(import.meta.url).resolve("@lit-app/gpu-agent");
  return join(dirname(entry), "works", "work-process.ts");
}

/**
 * Builds the work program of the app whose module is `appPath` (a file here).
 * @param customComputes compute names of the user's own that `--host` rules map (`a100`)
 */
export async function buildWorkProgram(appPath: string, customComputes: readonly string[] = []): Promise<WorkProgram> {
  const { buildNodeBundle } = await import("@lit-app/gpu-agent");
  const contents = [
    `import { readFileSync as __litRead } from "node:fs";`,
    `import { dirname as __litDirname } from "node:path";`,
    `import { fileURLToPath as __litPath } from "node:url";`,
    `import { allowComputeNames } from "@lit-app/core/internal";`,
    `import { runWorkProcess } from ${JSON.stringify(workProcessFile())};`,
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
    `allowComputeNames(${JSON.stringify(customComputes)});`,
    // The work's init (written by the agent) names the app's module on the host: its folder is the app's.
    `try {`,
    `  const dir = process.env.LIT_AGENT_WORK_DIR;`,
    `  const module = dir ? JSON.parse(__litRead(dir + "/init.json", "utf8")).appModule : undefined;`,
    `  if (typeof module === "string" && module.startsWith("file:")) process.chdir(__litDirname(__litPath(module)));`,
    `} catch {}`,
    `await runWorkProcess(() => import(${JSON.stringify(appPath)}));`,
  ].join("\n");
  const { code, hash, inputs } = await buildNodeBundle({ source: { contents, resolveDir: dirname(appPath), sourcefile: "lit-work-program.ts" } });
  return { code, hash, fileName: `${hash}.mjs`, inputs };
}

/**
 * The work program of the app at `appPath`, from this machine's program
 * cache when none of the files it was built from changed (program-cache.ts);
 * `built` says whether it was built now.
 * @param root the cache folder (default `$LIT_HOME/cache/programs`)
 */
export async function workProgramCached(appPath: string, customComputes: readonly string[] = [], root = programCacheDir()): Promise<WorkProgram & { built: boolean }> {
  const { code, hash, built } = await cachedProgram({ kind: "work", appPath, customComputes }, () => buildWorkProgram(appPath, customComputes), root);
  return { code, hash, fileName: `${hash}.mjs`, built };
}
