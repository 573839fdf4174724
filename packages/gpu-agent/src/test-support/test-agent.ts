/**
 * Starts the agent (src/main.ts, from source, on Bun) as a real child
 * process with a lit home of its own, and restarts it on the same home (and
 * port) after it is killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BUN = fileURLToPath(new URL("../../../../node_modules/.bin/bun", import.meta.url));
const PROGRAM = fileURLToPath(new URL("../main.ts", import.meta.url));

/** A running test agent. */
export interface TestAgent {
  home: string;
  token: string;
  port: number;
  pid: number;
  url: string;
  /** Sends `signal` to the agent (not to its works) and waits for it to end. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the agent again on the same home and port. */
  restart(): Promise<void>;
  /** The pids of the works' processes, from their records. */
  workPids(): number[];
  /** Ends the agent and every work process it started, and removes the home. */
  cleanup(): Promise<void>;
}

function launch(home: string, port: number, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number; pid: number }> {
  // LIT_TEST_AGENT_RUNTIME=node: the agent (and its works) on Node, through tsx.
  const node = process.env.LIT_TEST_AGENT_RUNTIME === "node";
  const [command, args] = node ? [process.execPath, ["--import", "tsx", PROGRAM]] : [BUN, [PROGRAM]];
  const child = spawn(command, [...args, "--home", home, "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      out += chunk;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        const info = JSON.parse(out.slice(0, nl)) as { port: number; pid: number };
        resolve({ child, ...info });
      }
    });
    child.once("exit", (code) => reject(new Error(`the agent ended before listening (exit code ${code}): ${stderr}`)));
  });
}

/** Starts a test agent with a fresh home; `hostConfig` is written to its `host.json` first (GPUs it declares). */
export async function startTestAgent(options: { hostConfig?: unknown; env?: Record<string, string> } = {}): Promise<TestAgent> {
  const home = mkdtempSync(join(tmpdir(), "lit-agent-"));
  if (options.hostConfig !== undefined) writeFileSync(join(home, "host.json"), JSON.stringify(options.hostConfig));
  let current = await launch(home, 0, options.env);
  const token = readFileSync(join(home, "agent", "token"), "utf8").trim();
  const agent: TestAgent = {
    home,
    token,
    port: current.port,
    pid: current.pid,
    url: `ws://127.0.0.1:${current.port}/v1/channel`,
    async kill(signal = "SIGKILL") {
      const child = current.child;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      await gone;
    },
    async restart() {
      current = await launch(home, agent.port, options.env);
      agent.pid = current.pid;
    },
    workPids() {
      const dir = join(home, "agent", "works");
      let ids: string[] = [];
      try {
        ids = readdirSync(dir);
      } catch {
        return [];
      }
      return ids.flatMap((id) => {
        try {
          const record = JSON.parse(readFileSync(join(dir, id, "work.json"), "utf8")) as { pid?: number; state: string };
          return record.pid && record.state === "running" ? [record.pid] : [];
        } catch {
          return [];
        }
      });
    },
    async cleanup() {
      const pids = agent.workPids();
      await agent.kill("SIGKILL");
      for (const pid of pids) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
  return agent;
}
