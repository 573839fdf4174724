/**
 * A deployed app's flow program: the app's module, lit-app's runner, the
 * app server (with its UI's files) and the agent's client in one ES module (esbuild, as the work
 * program) that the host's agent runs with `node` (≥ 20) or `bun`; named by
 * its sha256 and uploaded to `~/.lit/bundles/<hash>.mjs` unless the host has it.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** A built flow program. */
export interface FlowProgram {
  code: Uint8Array;
  hash: string;
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * Builds the flow program of the app whose module is `appPath` (a file here).
 * @param customComputes compute names of the user's own that the `--host` rules map (`a100`)
 */
export async function buildFlowProgram(appPath: string, customComputes: readonly string[] = []): Promise<FlowProgram> {
  const { buildNodeBundle } = await import("@lit-app/gpu-agent");
  // The UI's files go along: the bundle has no folder of them beside it on the host.
  const { readUiAssets } = await import("@lit-app/server");
  const contents = [
    // First: the app's file, loaded below, must not start itself.
    `import ${JSON.stringify(here("./flow-embedded.ts"))};`,
    `import { allowComputeNames } from "@lit-app/core/internal";`,
    `import { runDeployedFlow } from ${JSON.stringify(here("./flow-main.ts"))};`,
    `process.setSourceMapsEnabled?.(true);`,
    `allowComputeNames(${JSON.stringify(customComputes)});`,
    `try {`,
    `  await runDeployedFlow(() => import(${JSON.stringify(appPath)}), ${JSON.stringify(readUiAssets())});`,
    `} catch (error) {`,
    `  process.stderr.write("[lit-app] the flow could not run: " + (error instanceof Error ? (error.stack ?? error.message) : String(error)) + "\\n");`,
    `  process.exit(1);`,
    `}`,
  ].join("\n");
  return buildNodeBundle({ source: { contents, resolveDir: dirname(appPath), sourcefile: "lit-flow-program.ts" } });
}
