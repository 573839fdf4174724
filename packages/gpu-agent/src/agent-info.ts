/** Who the running agent is: what `agent/agent.json` holds. */
import { runtimeKind, type RuntimeKind } from "@lit-app/runtime";

/** The content of `<home>/agent/agent.json`. */
export interface AgentInfo {
  /** The agent's version (the package's). */
  version: string;
  /** The process id. */
  pid: number;
  /** The port it listens on, on 127.0.0.1. */
  port: number;
  /** When it started, ISO 8601. */
  startedAt: string;
  /** The sha256 (hex) of the bundle it runs from, as buildAgentBundle() gives it; absent when run from source. */
  bundleHash?: string;
  /** The JavaScript runtime it runs on. */
  runtime: RuntimeKind;
  /** That runtime's version. */
  runtimeVersion: string;
}

/** The runtime this is and its version. */
export function currentRuntime(): { runtime: RuntimeKind; runtimeVersion: string } {
  const runtime = runtimeKind();
  const versions = process.versions as Record<string, string | undefined>;
  const runtimeVersion = (runtime === "bun" ? versions.bun : runtime === "deno" ? versions.deno : versions.node) ?? "unknown";
  return { runtime, runtimeVersion };
}
