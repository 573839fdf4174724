/**
 * The agent as one file: main.ts and its npm dependencies bundled by esbuild
 * into an ES module that `node` (≥ 20) and `bun` run as it is, named by the
 * sha256 of its bytes (what the running agent reports as `bundleHash`).
 */
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { withEsbuild } from "@lit-app/local-workers/esbuild";
import { AGENT_VERSION } from "./version.ts";

/** The built agent. */
export interface AgentBundle {
  /** The bundle's bytes (an ES module: `node agent.mjs`, `bun agent.mjs`). */
  code: Uint8Array;
  /** The sha256 of `code`, 64 lowercase hex characters. */
  hash: string;
  /** The agent's version. */
  version: string;
}

const ENTRY = fileURLToPath(new URL("./main.ts", import.meta.url));

// CommonJS dependencies (ws) call require() for Node's modules: give the bundle one
const BANNER = 'import { createRequire as __litCreateRequire } from "node:module"; const require = __litCreateRequire(import.meta.url);';

/**
 * Builds the agent bundle.
 * @example
 * const { code, hash } = await buildAgentBundle();
 * // upload `code` to ~/.lit/agent/bundles/<hash>.mjs unless the host has it; run `node <that> --detach`
 */
export async function buildAgentBundle(): Promise<AgentBundle> {
  const result = await withEsbuild((esbuild) =>
    esbuild.build({
      entryPoints: [ENTRY],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: ["node20"],
      // Bun's adapter imports `bun` types only; the runtime module is Bun's own
      external: ["bun"],
      banner: { js: BANNER },
      legalComments: "none",
      logLevel: "silent",
    }),
  );
  const code = result.outputFiles[0]!.contents;
  return { code, hash: createHash("sha256").update(code).digest("hex"), version: AGENT_VERSION };
}
