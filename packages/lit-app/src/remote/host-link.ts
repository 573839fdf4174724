/**
 * One SSH connection to a host, opened again when it closed (callers at once
 * share one connect), with local ports forwarded through it and the agent's
 * work channel reached over it. What a run's host session, the read-only
 * commands' agent session and a deployed flow's link to another host share;
 * free of the agent's bundle, so that the deployed flow program can use it.
 */
import type { AgentEndpoint as ChannelEndpoint } from "@lit-app/gpu-agent/client";
import { runtimeKind } from "@lit-app/runtime";
import { connectHost, type ConnectOptions, type LocalListener, type SshHost } from "@lit-app/ssh";

/** A host reached over one SSH connection. */
export class HostLink {
  private host: SshHost | undefined;
  private connecting: Promise<SshHost> | undefined;
  /** Each forwarded port's listener, made (or being made) through `host`. */
  private listeners = new Map<number, { host: SshHost; local: Promise<LocalListener> }>();
  protected closed = false;

  constructor(
    readonly alias: string,
    private readonly connectOptions: ConnectOptions = {},
  ) {}

  /** The SSH connection, open (a closed one is opened again). */
  protected async connection(): Promise<SshHost> {
    if (this.closed) throw new Error(`the session to ${this.alias} is closed`);
    if (this.host && !this.host.isClosed) return this.host;
    this.connecting ??= connectHost(this.alias, this.connectOptions).finally(() => {
      this.connecting = undefined;
    });
    this.host = await this.connecting;
    return this.host;
  }

  /** The SSH connection, open (for commands and forwards of works' HTTP ports). */
  sshHost(): Promise<SshHost> {
    return this.connection();
  }

  /**
   * A local port whose connections reach `port` on the host's loopback, through
   * `host` (default: the open connection). Callers at once share one listener.
   */
  async localPort(port: number, host?: SshHost): Promise<number> {
    const through = host ?? (await this.connection());
    const kept = this.listeners.get(port);
    if (kept?.host === through) return (await kept.local).port;
    if (kept) void kept.local.then((l) => l.close()).catch(() => undefined);
    const local = through.listenLocal(port);
    this.listeners.set(port, { host: through, local });
    try {
      return (await local).port;
    } catch (error) {
      if (this.listeners.get(port)?.local === local) this.listeners.delete(port);
      throw error;
    }
  }

  /** The agent's work channel on `port`: a forwarded stream on Node, a local port elsewhere. */
  async channelEndpoint(port: number, host?: SshHost): Promise<ChannelEndpoint> {
    const through = host ?? (await this.connection());
    if (runtimeKind() === "node") return { url: `ws://127.0.0.1:${port}/v1/channel`, stream: await through.forward(port) };
    return { url: `ws://127.0.0.1:${await this.localPort(port, through)}/v1/channel` };
  }

  /** Closes the local listeners and the SSH connection. The agent and its works' processes stay. */
  async close(): Promise<void> {
    this.closed = true;
    for (const { local } of this.listeners.values()) await (await local.catch(() => undefined))?.close().catch(() => undefined);
    this.listeners.clear();
    await this.host?.close().catch(() => undefined);
  }
}
