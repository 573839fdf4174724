/** Runs the agent bundle as a real process on node or bun, from tests. */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { request, Agent } from "node:http";
import type { AgentInfo } from "../agent-info.ts";
import { buildAgentBundle } from "../bundle.ts";
import { tempDir } from "./temp-dirs.ts";

/** The runtimes the agent runs on, and the binary of each. */
export const RUNTIMES = {
  node: process.execPath.endsWith("node") ? process.execPath : "node",
  bun: fileURLToPath(new URL("../../../../node_modules/.bin/bun", import.meta.url)),
} as const;

export type AgentRuntime = keyof typeof RUNTIMES;

/** Builds the bundle into a temp folder: `path` runs it, `hash` is its sha256. */
export async function writeBundle(): Promise<{ dir: string; path: string; hash: string }> {
  const dir = tempDir("lit-agent-bundle-");
  const bundle = await buildAgentBundle();
  const path = join(dir, `${bundle.hash}.mjs`);
  writeFileSync(path, bundle.code);
  return { dir, path, hash: bundle.hash };
}

/** A started agent process and what it printed. */
export interface AgentProcess {
  child: ChildProcess;
  /** The first stdout line, parsed (null when it exited without one). */
  said: ({ status: "started" | "running" } & AgentInfo) | null;
  stderr: () => string;
  /** Resolves to the exit code when it exits. */
  exited: Promise<number | null>;
}

/** Runs `bundle` on `runtime` with `args` and waits for its first stdout line (or its exit). */
export async function runAgent(runtime: AgentRuntime, bundle: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<AgentProcess> {
  const child = spawn(RUNTIMES[runtime], [bundle, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const line = await new Promise<string | null>((resolve) => {
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0]!);
    });
    void exited.then(() => resolve(stdout.includes("\n") ? stdout.split("\n")[0]! : null));
  });
  return { child, said: line === null ? null : JSON.parse(line), stderr: () => stderr, exited };
}

/** Stops `agent` with SIGTERM and waits for it to exit. */
export async function stopAgent(agent: AgentProcess): Promise<number | null> {
  if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill("SIGTERM");
  return agent.exited;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

/** GET `path` on 127.0.0.1:`port` (with `token` as bearer when given), over one kept-alive connection. */
export function get(port: number, path: string, token?: string, host = "127.0.0.1"): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port, path, agent: keepAlive, headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, timeout: 5000 },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, body: text === "" ? null : JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.end();
  });
}

/** Closes the kept-alive connections of {@link get}. */
export function closeConnections(): void {
  keepAlive.destroy();
}

/** A fresh lit home (removed by removeTempDirs()). */
export function tempHome(): string {
  return tempDir("lit-agent-home-");
}
