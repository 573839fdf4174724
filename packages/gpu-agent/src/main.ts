/**
 * The agent's entry: `<bun|node> agent.mjs [--home DIR] [--port N] [--name HOST] [--detach]`.
 *
 * - `--home DIR`: the lit home (default `~/.lit`); the agent's files go to `DIR/agent/`.
 * - `--port N`: the port on 127.0.0.1 (default: a free one, written to `DIR/agent/agent.json`).
 * - `--name HOST`: the host's name as users know it (default: the OS host name).
 * - `--detach`: starts the agent in the background (its own session, output to
 *   `DIR/agent/agent.log`) and returns once it listens.
 *
 * Prints one JSON line on stdout: `{"status":"started"|"running", ...agent.json}`.
 * An agent of the same version (and bundle) already running in that home is
 * left running (`"running"`, exit 0); another one is stopped and replaced.
 * Exit 1 with a message on stderr when it cannot start.
 */
import { spawn } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { AgentInfo } from "./agent-info.ts";
import { startAgent } from "./agent.ts";
import { askControl } from "./control-socket.ts";
import { AgentArgsError } from "./errors.ts";
import { agentModules } from "./modules.ts";
import { agentPaths, defaultHome } from "./paths.ts";
import { bundleHashOf } from "./self-hash.ts";
import { AGENT_VERSION } from "./version.ts";

interface Args {
  home: string;
  port: number;
  name?: string;
  detach: boolean;
}

function parse(argv: string[]): Args {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { home: { type: "string" }, port: { type: "string" }, name: { type: "string" }, detach: { type: "boolean" } },
      strict: true,
    }));
  } catch (error) {
    throw new AgentArgsError(`[agent] ${(error as Error).message}. Usage: agent.mjs [--home DIR] [--port N] [--name HOST] [--detach]`);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AgentArgsError(`[agent] --port must be a port number (0-65535), got ${JSON.stringify(values.port)}.`);
  return { home: values.home ?? defaultHome(), port, ...(values.name === undefined ? {} : { name: values.name }), detach: values.detach ?? false };
}

const say = (status: "started" | "running", info: AgentInfo): void => {
  process.stdout.write(JSON.stringify({ status, ...info }) + "\n");
  const what = status === "started" ? "started" : "runs already";
  process.stderr.write(`[agent] lit agent ${info.version} ${what} (pid ${info.pid}, 127.0.0.1:${info.port}, ${info.runtime} ${info.runtimeVersion})\n`);
};

/** Starts the agent in its own session and waits until it listens (its agent.json names its pid). */
async function detach(args: Args, argv: string[], bundleHash: string | undefined): Promise<number> {
  const paths = agentPaths(args.home);
  const running = await askControl(paths.control, { op: "info" });
  const info = (running?.info ?? null) as AgentInfo | null;
  if (info !== null && info.version === AGENT_VERSION && (info.bundleHash ?? null) === (bundleHash ?? null)) {
    say("running", info);
    return 0;
  }
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const log = openSync(paths.log, "a", 0o600);
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv.filter((a) => a !== "--detach")], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  let exited: number | null = null;
  child.on("exit", (code) => (exited = code ?? 1));
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const text = await readFile(paths.info, "utf8").catch(() => null);
    if (text !== null) {
      const current = JSON.parse(text) as AgentInfo;
      if (current.pid === child.pid) {
        say("started", current);
        return 0;
      }
    }
    if (exited === 0) {
      // it found the same agent running (started meanwhile by another start): that one is the agent
      const now = await askControl(paths.control, { op: "info" });
      const running = (now?.info ?? null) as AgentInfo | null;
      if (running !== null) {
        say("running", running);
        return 0;
      }
    }
    if (exited !== null) {
      const tail = (await readFile(paths.log, "utf8").catch(() => "")).trim().split("\n").slice(-5).join("\n");
      process.stderr.write(`[agent] the agent exited (code ${exited}) before it listened. Its log (${paths.log}) ends with:\n${tail}\n`);
      return 1;
    }
    await sleep(50);
  }
  process.stderr.write(`[agent] the agent did not listen within 30 s; see ${paths.log}.\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  const bundleHash = await bundleHashOf(import.meta.url);
  if (args.detach) return detach(args, argv, bundleHash);
  const result = await startAgent({
    home: args.home,
    port: args.port,
    ...(args.name === undefined ? {} : { hostName: args.name }),
    ...(bundleHash === undefined ? {} : { bundleHash }),
    modules: agentModules,
  });
  say(result.status, result.info);
  if (result.status === "running") return 0;
  // the agent outlives the SSH session that started it
  process.on("SIGHUP", () => undefined);
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void result.close());
  await result.stopped;
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
