/**
 * One host's agent as the deploy commands reach it: an SSH connection, the
 * agent made sure of (started when it is not running: it then resumes the
 * apps deployed there), and its HTTP API through a local port forwarded
 * through the connection.
 */
import { connectHost, ensureAgent, type AgentEndpoint, type LocalListener, type SshHost } from "@lit-app/ssh";
import { agentBundleOnce } from "../remote/host-session.ts";

/** An error the agent answered with. */
export class AgentRequestError extends Error {
  readonly code: string;
  constructor(
    readonly alias: string,
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(`${alias}: ${message}`);
    this.name = "AgentRequestError";
    this.code = code;
  }
}

/** A host's agent, reached through SSH. */
export class AgentLink {
  private listeners = new Map<number, LocalListener>();

  private constructor(
    readonly alias: string,
    readonly host: SshHost,
    readonly agent: AgentEndpoint,
  ) {}

  /** Connects to `alias` and makes sure its agent runs. */
  static async open(alias: string, options: { timeoutMs?: number } = {}): Promise<AgentLink> {
    const host = await connectHost(alias, options.timeoutMs ? { timeoutMs: options.timeoutMs } : {});
    try {
      const agent = await ensureAgent(host, { bundle: await agentBundleOnce(), progress: false });
      return new AgentLink(alias, host, agent);
    } catch (error) {
      await host.close().catch(() => undefined);
      throw error;
    }
  }

  /** A local port whose connections reach `port` on the host's loopback. */
  async localPort(port: number): Promise<number> {
    let listener = this.listeners.get(port);
    if (!listener) this.listeners.set(port, (listener = await this.host.listenLocal(port)));
    return listener.port;
  }

  /** A request to the agent's API; resolves with its JSON answer, rejects with an {@link AgentRequestError}. */
  async request<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
    const port = await this.localPort(this.agent.port);
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.agent.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AgentRequestError(this.alias, res.status, "E_BAD_ANSWER", `the agent answered ${method} ${path} with ${res.status} and no JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } }).error;
      throw new AgentRequestError(this.alias, res.status, error?.code ?? "E_AGENT", error?.message ?? `${method} ${path} answered ${res.status}`);
    }
    return json as T;
  }

  async close(): Promise<void> {
    for (const listener of this.listeners.values()) await listener.close().catch(() => undefined);
    this.listeners.clear();
    await this.host.close().catch(() => undefined);
  }
}
