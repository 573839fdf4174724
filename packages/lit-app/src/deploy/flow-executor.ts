/**
 * Where a deployed app's flow sends its works: the `--host` rules route
 * each work to a host; the flow's own host is reached through its agent on
 * loopback (its port and token read from `~/.lit/agent/` at each connect, so
 * a restarted agent is found), every other host over SSH with the app's key,
 * forwarding to that host's agent only. Works no rule names run on the
 * flow's host.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JsonValue } from "@lit-app/core";
import type { WorkCall, WorkEvent, WorkExecutor, WorkRef } from "@lit-app/core/internal";
import type { DeployAppSpec, DeployHost } from "@lit-app/gpu-agent";
import { RemoteExecutor, type AgentEndpoint } from "@lit-app/gpu-agent/client";
import { runtimeKind } from "@lit-app/runtime";
import { connectHost, type LocalListener, type SshHost } from "@lit-app/ssh";
import { parseHostRules } from "../remote/host-rules.ts";
import { RoutingExecutor } from "../remote/routing-executor.ts";

/** Where the flow's host keeps what the executor reads. */
export interface FlowPlace {
  /** The lit home on this host (`~/.lit`). */
  litHome: string;
  /** The environment SSH connections read their config, keys and known_hosts from (see writeFlowSshHome). */
  sshEnv: Record<string, string | undefined>;
}

/** The agent on this host, as its files say now. */
function localAgent(litHome: string): { port: number; token: string } {
  const info = JSON.parse(readFileSync(join(litHome, "agent", "agent.json"), "utf8")) as { port?: unknown };
  const token = readFileSync(join(litHome, "agent", "token"), "utf8").trim();
  if (typeof info.port !== "number") throw new Error(`no agent port in ${join(litHome, "agent", "agent.json")}`);
  return { port: info.port, token };
}

/** One SSH connection to a host, opened again when it closed. */
class SshLink {
  private host: SshHost | undefined;
  private listener: LocalListener | undefined;
  constructor(
    private readonly alias: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  async connection(): Promise<SshHost> {
    if (this.host && !this.host.isClosed) return this.host;
    await this.listener?.close().catch(() => undefined);
    this.listener = undefined;
    this.host = await connectHost(this.alias, { env: this.env });
    return this.host;
  }

  /** The agent's channel through the connection: a forwarded stream on Node, a local port elsewhere. */
  async endpoint(port: number): Promise<AgentEndpoint> {
    const host = await this.connection();
    if (runtimeKind() === "node") return { url: `ws://127.0.0.1:${port}/v1/channel`, stream: await host.forward(port) };
    this.listener ??= await host.listenLocal(port);
    return { url: `ws://127.0.0.1:${this.listener.port}/v1/channel` };
  }

  async close(): Promise<void> {
    await this.listener?.close().catch(() => undefined);
    await this.host?.close().catch(() => undefined);
  }
}

/** A RemoteExecutor with the SSH link it runs over, closed together. */
class HostWorks implements WorkExecutor {
  constructor(
    private readonly remote: RemoteExecutor,
    private readonly link?: SshLink,
  ) {}
  bind(emit: (event: WorkEvent) => void): void {
    this.remote.bind(emit);
  }
  start(work: WorkRef): Promise<void> {
    return this.remote.start(work);
  }
  reattach(work: WorkRef, calls: readonly { id: string; hash: string }[], handle: JsonValue | undefined): Promise<string[]> {
    return this.remote.reattach(work, calls, handle);
  }
  call(work: WorkRef, call: WorkCall): void {
    this.remote.call(work, call);
  }
  stop(work: WorkRef): Promise<void> {
    return this.remote.stop(work);
  }
  async close(): Promise<void> {
    await this.remote.close();
    await this.link?.close();
  }
}

/** The same executor under a second name: bound and closed once, by its first. */
function alias(executor: WorkExecutor): WorkExecutor {
  return {
    bind: () => undefined,
    start: (work) => executor.start(work),
    reattach: (work, calls, handle) => executor.reattach?.(work, calls, handle) ?? Promise.resolve([]),
    call: (work, call) => executor.call(work, call),
    stop: (work) => executor.stop(work),
    close: async () => undefined,
  };
}

function hostWorks(host: DeployHost, place: FlowPlace): WorkExecutor {
  const common = { host: host.alias, appModule: host.appModule, program: host.program, storageDir: host.storageDir };
  if (host.via === "local") {
    return new HostWorks(
      new RemoteExecutor({
        ...common,
        connect: async () => ({ url: `ws://127.0.0.1:${localAgent(place.litHome).port}/v1/channel` }),
        token: async () => localAgent(place.litHome).token,
      }),
    );
  }
  const ssh = host.ssh;
  if (!ssh) throw new Error(`the host ${host.alias} is reached over SSH but its address is missing from the app's spec`);
  const link = new SshLink(host.alias, place.sshEnv);
  return new HostWorks(new RemoteExecutor({ ...common, connect: () => link.endpoint(ssh.agentPort), token: ssh.token }), link);
}

/**
 * Checks that this host reaches each host of the app it reaches over SSH: the
 * connection made with the app's key, and a forward to that host's agent.
 * @throws an Error naming the pair and why, for the first host not reached.
 */
export async function checkReach(spec: DeployAppSpec, place: FlowPlace, here: string): Promise<void> {
  await Promise.all(
    spec.hosts.map(async (host) => {
      if (host.via !== "ssh" || !host.ssh) return;
      const link = new SshLink(host.alias, place.sshEnv);
      try {
        const ssh = await link.connection();
        const stream = await ssh.forward(host.ssh.agentPort);
        stream.destroy();
      } catch (error) {
        throw new Error(`${here} cannot reach ${host.alias} (${host.ssh.hostName}:${host.ssh.port}, its agent on port ${host.ssh.agentPort}): ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await link.close();
      }
    }),
  );
}

/** The executor of a deployed app's flow. */
export function deployedExecutor(spec: DeployAppSpec, place: FlowPlace): WorkExecutor {
  const rules = parseHostRules(spec.rules);
  const local = spec.hosts.find((h) => h.via === "local");
  if (!local) throw new Error(`the app ${spec.name} names no host as the flow's own (via "local")`);
  const here = hostWorks(local, place);
  const hosts = new Map<string, WorkExecutor>();
  for (const name of rules.aliases) {
    const host = spec.hosts.find((h) => h.alias === name);
    if (!host) throw new Error(`the rule's host ${name} is missing from the app's hosts`);
    hosts.set(name, host === local ? alias(here) : hostWorks(host, place));
  }
  return new RoutingExecutor(rules, here, hosts);
}
