/**
 * The agent as one file: main.ts and its npm dependencies bundled by esbuild
 * into an ES module that `node` (≥ 20) and `bun` run as it is, named by the
 * sha256 of its bytes (what the running agent reports as `bundleHash`).
 */
import { fileURLToPath } from "node:url";
import { buildNodeBundle } from "./node-bundle.ts";
import { AGENT_VERSION } from "./version.ts";

/** The built agent. */
export interface AgentBundle {
  /** The bundle's bytes (an ES module: `node agent.mjs`, `bun agent.mjs`). */
  code: Uint8Array;
  /** The sha256 of `code`, 64 lowercase hex characters. */
  hash: string;
  /** The agent's version. */
  version: string;
  /** The files it was built from (absolute paths), for a build cache. */
  inputs?: string[];
}

const ENTRY = fileURLToPath(new URL("./main.ts", import.meta.url));

/**
 * Builds the agent bundle.
 * @example
 * const { code, hash } = await buildAgentBundle();
 * // upload `code` to ~/.lit/bundles/<hash>.mjs unless the host has it; run `node <that> --detach`
 */
export async function buildAgentBundle(): Promise<AgentBundle> {
  return { ...(await buildNodeBundle({ entryPoint: ENTRY })), version: AGENT_VERSION };
}
