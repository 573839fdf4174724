/**
 * Where a deployed app's flow sends its works: the `--host` rules route
 * each work to a host; the flow's own host is reached through its agent on
 * loopback (its port and token read from `~/.lit/agent/` at each connect, so
 * a restarted agent is found), every other host over SSH with the app's key,
 * forwarding to that host's agent only. Works no rule names run on the
 * flow's host.
 *
 * The flow is its app's Drive authority, as `lit run --host` is on the
 * laptop: the Drives are kept in the app's storage folder on the flow's host,
 * and the Drive requests of the works on every host are taken from each
 * host's agent and done there (see drive-requests.ts), so a claim made by a
 * work on one host holds for the works on the others. The agents keep the
 * app's works under its key (its storage folder, `apps/<name>`), apart from
 * other apps' works of the same names.
 */
import { basename } from "node:path";
import process from "node:process";
import type { JsonValue } from "@lit-app/core";
import type { WorkCall, WorkEvent, WorkExecutor, WorkRef } from "@lit-app/core/internal";
import type { CarriedAppModules, DeployAppSpec, DeployHost } from "@lit-app/gpu-agent";
import { readLocalAgent, RemoteExecutor, type LocalAgent } from "@lit-app/gpu-agent/client";
import type { DriveAuthority } from "../remote/drive-authority.ts";
import type { DriveRequests, DriveRequestsHost } from "../remote/drive-requests.ts";
import { parseHostRules } from "../remote/host-rules.ts";
import type { RelayHost } from "../remote/path-relay.ts";
import { HostLink } from "../remote/host-link.ts";
import { RoutingExecutor } from "../remote/routing-executor.ts";

/** Where the flow's host keeps what the executor reads. */
export interface FlowPlace {
  /** The lit home on this host (`~/.lit`). */
  litHome: string;
  /** The environment SSH connections read their config, keys and known_hosts from (see writeFlowSshHome). */
  sshEnv: Record<string, string | undefined>;
  /**
   * The app's modules the flow's program carries: the classes of works
   * created inside run() are looked up there (this host has the program,
   * not the app's files it was built from) and named as the work program
   * knows them.
   */
  modules?: CarriedAppModules;
}

/** A RemoteExecutor with the SSH link it runs over, closed together. */
class HostWorks implements WorkExecutor {
  constructor(
    private readonly remote: RemoteExecutor,
    private readonly link?: HostLink,
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

/** The app's key on its hosts (see gpu-agent's app-key.ts): its storage folder in the agent's storage root. */
export function deployedAppKey(host: Pick<DeployHost, "storageDir">): string {
  return `apps/${basename(host.storageDir)}`;
}

/** One host of the app: its works' executor, and its agent's Drive requests. */
interface AppHost {
  works: WorkExecutor;
  drives: DriveRequestsHost;
  /** For a host reached over SSH: the connection its works and Drive requests go over. */
  link?: HostLink;
}

/** The agent's storage root at `url` (`http://127.0.0.1:<port>`), as the Path relay reaches it. */
function relayAt(alias: string, app: string, agent: () => Promise<{ url: string; token: string }>): RelayHost {
  return {
    alias,
    storage: async () => {
      const [{ httpRoot }, { url, token }] = await Promise.all([import("@lit-app/storage/http"), agent()]);
      return { root: httpRoot({ url: `${url}/v1/storage`, token }), appDir: app };
    },
  };
}

function appHost(host: DeployHost, place: FlowPlace): AppHost {
  const app = deployedAppKey(host);
  const common = { host: host.alias, appModule: host.appModule, program: host.program, storageDir: host.storageDir, app, ...(place.modules ? { appModules: place.modules } : {}) };
  const drivesOf = (agent: () => Promise<{ url: string; token: string }>): DriveRequestsHost => ({ relay: relayAt(host.alias, app, agent), agent, appDir: async () => app });
  if (host.via === "local") {
    const agent = async () => {
      const { port, token } = readLocalAgent(place.litHome);
      return { url: `http://127.0.0.1:${port}`, token };
    };
    // Read once per connect (the executor asks for the token, then connects): a restarted agent is found.
    let read: LocalAgent | undefined;
    const works = new HostWorks(
      new RemoteExecutor({
        ...common,
        token: async () => (read = readLocalAgent(place.litHome)).token,
        connect: async () => {
          const { port } = read ?? readLocalAgent(place.litHome);
          read = undefined;
          return { url: `ws://127.0.0.1:${port}/v1/channel` };
        },
      }),
    );
    return { works, drives: drivesOf(agent) };
  }
  const ssh = host.ssh;
  if (!ssh) throw new Error(`the host ${host.alias} is reached over SSH but its address is missing from the app's spec`);
  const link = new HostLink(host.alias, { env: place.sshEnv });
  const agent = async () => ({ url: `http://127.0.0.1:${await link.localPort(ssh.agentPort)}`, token: ssh.token });
  return { works: new HostWorks(new RemoteExecutor({ ...common, connect: () => link.channelEndpoint(ssh.agentPort), token: ssh.token }), link), drives: drivesOf(agent), link };
}

/**
 * Checks that this host reaches each host of the app it reaches over SSH, on
 * the links its works will use: the connection made with the app's key, and
 * a forward to that host's agent.
 * @throws an Error naming the pair and why, for the first host not reached.
 */
async function checkReach(links: readonly { host: DeployHost; link: HostLink }[], here: string): Promise<void> {
  await Promise.all(
    links.map(async ({ host, link }) => {
      if (!host.ssh) return;
      try {
        const ssh = await link.sshHost();
        const stream = await ssh.forward(host.ssh.agentPort);
        stream.destroy();
      } catch (error) {
        throw new Error(`${here} cannot reach ${host.alias} (${host.ssh.hostName}:${host.ssh.port}, its agent on port ${host.ssh.agentPort}): ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
}

/** A deployed flow's executor, which serves its works' Drives. */
export interface DeployedExecutor extends WorkExecutor {
  /**
   * Starts taking the Drive requests of the app's works from every host's
   * agent; resolves once each agent was asked once (from then on it hands
   * the works' Drive operations to the flow), or after 15 s. Await it
   * before the engine starts works.
   */
  serveDrives(): Promise<void>;
  /**
   * Checks that the flow's host (`here`) reaches each host of the app it
   * reaches over SSH, on the connections the works will use (kept open).
   * @throws an Error naming the pair and why, for the first host not reached.
   */
  checkReach(here: string): Promise<void>;
}

/** The executor of a deployed app's flow. */
export function deployedExecutor(spec: DeployAppSpec, place: FlowPlace): DeployedExecutor {
  const rules = parseHostRules(spec.rules);
  const local = spec.hosts.find((h) => h.via === "local");
  if (!local) throw new Error(`the app ${spec.name} names no host as the flow's own (via "local")`);
  const here = appHost(local, place);
  const hosts = new Map<string, WorkExecutor>();
  // Each host's storage root, so that a Path or Payload a work wrote on one host is copied to the host of the
  // work that reads it (the works no rule names run on the flow's host, as "here").
  const relays = new Map<string, RelayHost>();
  const drives = [here.drives];
  const links: { host: DeployHost; link: HostLink }[] = [];
  for (const name of rules.aliases) {
    const host = spec.hosts.find((h) => h.alias === name);
    if (!host) throw new Error(`the rule's host ${name} is missing from the app's hosts`);
    if (host === local) {
      hosts.set(name, alias(here.works));
      relays.set(name, here.drives.relay);
      continue;
    }
    const there = appHost(host, place);
    if (there.link) links.push({ host, link: there.link });
    hosts.set(name, there.works);
    relays.set(name, there.drives.relay);
    drives.push(there.drives);
  }
  return new ServingDrives(new RoutingExecutor(rules, here.works, hosts, relays, here.drives.relay), drives, local, links);
}

/** The flow's host as its app's Drive authority: the Drives in the app's storage folder there. */
async function flowDriveAuthority(local: DeployHost, relay: RelayHost): Promise<DriveAuthority> {
  const { LocalStorage } = await import("@lit-app/storage/local");
  return { alias: local.alias, drives: new LocalStorage(local.storageDir), relay };
}

/** An executor that serves its works' Drive requests on every host while it is open. */
class ServingDrives implements DeployedExecutor {
  private serving: Promise<DriveRequests[]> | undefined;
  constructor(
    private readonly inner: WorkExecutor,
    private readonly hosts: DriveRequestsHost[],
    private readonly local: DeployHost,
    private readonly links: readonly { host: DeployHost; link: HostLink }[],
  ) {}

  async serveDrives(): Promise<void> {
    await this.serve();
  }

  checkReach(here: string): Promise<void> {
    return checkReach(this.links, here);
  }

  /** Starts taking each host's Drive requests (once); resolves when each agent answered once, or after 15 s. */
  private serve(): Promise<DriveRequests[]> {
    this.serving ??= (async () => {
      const { serveDriveRequests } = await import("../remote/drive-requests.ts");
      // The flow host's works are reached through its own relay: a put there moves nothing between hosts.
      const authority = await flowDriveAuthority(this.local, this.hosts[0]!.relay);
      const log = (line: string) => void process.stderr.write(`${line}\n`);
      const served = this.hosts.map((host) => serveDriveRequests(host, authority, log));
      await Promise.race([Promise.all(served.map((s) => s.ready)), new Promise((r) => setTimeout(r, 15_000).unref?.())]);
      return served;
    })();
    return this.serving;
  }

  bind(emit: (event: WorkEvent) => void): void {
    this.inner.bind(emit);
  }
  start(work: WorkRef): Promise<void> {
    return this.inner.start(work);
  }
  reattach(work: WorkRef, calls: readonly { id: string; hash: string }[], handle: JsonValue | undefined): Promise<string[]> {
    return this.inner.reattach?.(work, calls, handle) ?? Promise.resolve([]);
  }
  call(work: WorkRef, call: WorkCall): void {
    this.inner.call(work, call);
  }
  stop(work: WorkRef): Promise<void> {
    return this.inner.stop(work);
  }
  async close(): Promise<void> {
    const served = this.serving ? await this.serving : [];
    await Promise.all(served.map((s) => s.close()));
    await this.inner.close();
  }
}
