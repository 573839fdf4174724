/**
 * One host's agent as lit reaches it from here: its SSH connection and local
 * ports (host-link.ts), and the agent's HTTP API ({@link AgentSession.request}).
 * {@link AgentSession.open} is the light way in, for commands that only ask
 * (`lit apps/status/logs/stop`): the running agent is read from its files in
 * one command, and the agent bundle is built and the agent started only when
 * none runs. {@link HostSession} adds what a run puts on the host.
 */
import type { AgentBundle } from "@lit-app/gpu-agent";
import { ensureAgent, type AgentEndpoint, type SshHost } from "@lit-app/ssh";
import { z } from "zod";
import { agentRequest, AgentRequestError, type AgentHttp } from "./agent-request.ts";
import { HostLink } from "./host-link.ts";

const agentJson = z.object({ port: z.number().int().min(1).max(65535), version: z.string().max(100), pid: z.number().int() });
const TOKEN = /^[A-Za-z0-9_-]{20,200}$/;

/** The agent a host's files describe (`~/.lit/agent/agent.json` and its token), and whether its process is alive. */
export interface AgentFiles {
  port: number;
  version: string;
  pid: number;
  token: string;
  alive: boolean;
}

/** Reads the host's agent files in one command; undefined when there is no agent (or its files do not parse). */
export async function readAgentFiles(host: SshHost): Promise<AgentFiles | undefined> {
  const script =
    'cat "$HOME/.lit/agent/agent.json" 2>/dev/null; printf "\\n--lit--\\n"; cat "$HOME/.lit/agent/token" 2>/dev/null; printf "\\n--lit--\\n"; ' +
    `p=$(sed -n 's/.*"pid": *\\([0-9][0-9]*\\).*/\\1/p' "$HOME/.lit/agent/agent.json" 2>/dev/null | head -n 1); ` +
    // Alive: the process exists and is not a zombie (a killed agent whose parent has not reaped it).
    `[ -n "$p" ] && kill -0 "$p" 2>/dev/null && case "$(ps -o stat= -p "$p" 2>/dev/null)" in Z*) ;; *) printf alive ;; esac`;
  const r = await host.exec(script, { maxOutputBytes: 64 << 10 });
  const [infoText = "", token = "", alive = ""] = r.stdout.toString().split("\n--lit--\n").map((l) => l.trim());
  let info: z.infer<typeof agentJson>;
  try {
    info = agentJson.parse(JSON.parse(infoText));
  } catch {
    return undefined;
  }
  if (!TOKEN.test(token)) return undefined;
  return { ...info, token, alive: alive === "alive" };
}

/** An agent's bundle made sure of on `host`: an upload whose commit did not answer (seen once on a fresh host) is tried once more. */
export async function ensureAgentOn(host: SshHost, bundle: AgentBundle, progress?: boolean): Promise<AgentEndpoint> {
  const options = { bundle, ...(progress === undefined ? {} : { progress }) };
  return ensureAgent(host, options).catch((error: unknown) => {
    // ensureAgent is idempotent, so once more.
    if ((error as { code?: string }).code !== "E_SSH_UPLOAD") throw error;
    return ensureAgent(host, options);
  });
}

/** A host's agent, reached through SSH. */
export class AgentSession extends HostLink {
  /** The agent's port and token, once known. */
  protected agent: { port: number; token: string } | undefined;
  /** Set while {@link agent} is as the host's files said (not made sure of): a request it does not answer makes sure of it. */
  private fromFiles = false;

  constructor(alias: string, connectTimeoutMs?: number) {
    super(alias, connectTimeoutMs ? { timeoutMs: connectTimeoutMs } : {});
  }

  /**
   * Connects to `alias` and finds its agent: the one running (read from its
   * files in one command), else the agent bundle is made sure of (built or
   * taken from the program cache, and started: it then resumes the apps
   * deployed there).
   */
  static async open(alias: string, options: { timeoutMs?: number } = {}): Promise<AgentSession> {
    const session = new AgentSession(alias, options.timeoutMs);
    try {
      const host = await session.connection();
      const files = await readAgentFiles(host);
      if (files?.alive) {
        session.agent = { port: files.port, token: files.token };
        session.fromFiles = true;
      } else await session.ensureAgent(host);
      return session;
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  /** The agent bundle made sure of on `host` (built or taken from the program cache; started when it does not run). */
  private async ensureAgent(host: SshHost): Promise<void> {
    const { agentBundleOnce } = await import("./host-session.ts");
    this.agent = await ensureAgentOn(host, await agentBundleOnce(), false);
    this.fromFiles = false;
  }

  /** The agent's port and token (a {@link HostSession} prepares the host first). */
  protected async agentEndpoint(): Promise<{ port: number; token: string }> {
    if (!this.agent) throw new Error(`${this.alias}: no agent found`);
    return this.agent;
  }

  /** The agent's HTTP base URL here (a local port forwarded through the SSH connection) and its token. */
  async agentHttp(): Promise<AgentHttp> {
    const { port, token } = await this.agentEndpoint();
    return { url: `http://127.0.0.1:${await this.localPort(port)}`, token };
  }

  /**
   * A request to the agent's API; resolves with its JSON answer.
   * @throws AgentRequestError when the agent answers with an error
   */
  async request<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
    try {
      return await agentRequest<T>(await this.agentHttp(), this.alias, method, path, body);
    } catch (error) {
      // The agent its files named did not answer (gone, its files stale): made sure of, and asked again once.
      if (!this.fromFiles || error instanceof AgentRequestError) throw error;
      await this.ensureAgent(await this.connection());
      return agentRequest<T>(await this.agentHttp(), this.alias, method, path, body);
    }
  }
}
