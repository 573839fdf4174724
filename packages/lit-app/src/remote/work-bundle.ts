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
import type { WorkBundle } from "@lit-app/gpu-agent";
import { cachedProgram, programCacheDir } from "./program-cache.ts";

/** A built work program (gpu-agent's work bundle). */
export type WorkProgram = WorkBundle;

/**
 * Builds the work program of the app whose module is `appPath` (a file here).
 * @param customComputes compute names of the user's own that `--host` rules map (`a100`)
 */
export async function buildWorkProgram(appPath: string, customComputes: readonly string[] = []): Promise<WorkProgram> {
  const { buildWorkBundle } = await import("@lit-app/gpu-agent");
  return buildWorkBundle(appPath, { customComputes });
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
