/**
 * One of the user's machines as `lit run --host` uses it: one SSH connection
 * (carrying every work there), the agent made sure of, the app's folder
 * synced and its work program uploaded, once. Afterwards each reconnect of
 * the work channel asks for an {@link AgentEndpoint} again: a closed SSH
 * connection is opened again, and the agent is made sure of again (a killed
 * agent is started, and re-adopts its works).
 */
import { basename, dirname, posix, relative } from "node:path";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { AgentBundle } from "@lit-app/gpu-agent";
import type { AgentEndpoint as ChannelEndpoint } from "@lit-app/gpu-agent/client";
import type { AgentEndpoint, SshHost } from "@lit-app/ssh";
import { runtimeKind } from "@lit-app/runtime";
import { httpRoot, nodeFetchOver, type HttpRoot } from "@lit-app/storage/http";
import { AgentSession, ensureAgentOn } from "./agent-session.ts";
import { cachedProgram } from "./program-cache.ts";
import { folderTarget, syncAppFolder, type FolderSyncReport } from "./folder-sync.ts";
import { recordHost } from "./known-hosts-list.ts";
import type { HostStorage } from "./path-relay.ts";
import { workProgramCached, type WorkProgram } from "./work-bundle.ts";

/** What a host needs from the run, shared by its sessions. */
export interface HostSessionOptions {
  /** The SSH host alias, as in `~/.ssh/config`. */
  alias: string;
  /** The app's module here (a path). */
  appPath: string;
  /** The app's folder here (synced to the host). Default: the module's folder. */
  appDir?: string;
  /**
   * The app's name on the host: its synced folder (`folders/<name>`) and its
   * storage folder (`apps/<name>`, its key there). Default: {@link appFolderName}
   * of its folder here; a deployed app has one per deployed name.
   */
  folderName?: string;
  /** The agent bundle (built once per run). */
  agentBundle: () => Promise<AgentBundle>;
  /** The app's work program (built once per run). */
  workProgram: () => Promise<WorkProgram>;
  /** The SSH connect bound, ms (default the host's ConnectTimeout, else 10 s). */
  connectTimeoutMs?: number;
}

/** What {@link HostSession.prepare} found and did. */
export interface PreparedHost {
  /** The app's module as the host sees it (a file URL in the synced folder). */
  appModule: string;
  /** The work program's file name in the agent's program folder. */
  program: string;
  agent: AgentEndpoint;
  folder: FolderSyncReport;
  /** The host user's home folder. */
  home: string;
  /** The app's folder on the host, relative to the home (`.lit/storage/folders/<name>`). */
  appDir: string;
  /**
   * The folder of the works' storage roots on the host (absolute): inside the
   * agent's storage root (`~/.lit/storage`), at `apps/<name>`, so that the
   * agent's storage routes serve the works' Paths.
   */
  storageDir: string;
  /** {@link storageDir} relative to the agent's storage root (`apps/<name>`). */
  storageAppDir: string;
}

/** A folder name for the app on hosts: its folder's name and a hash of where it is here. */
export function appFolderName(appDir: string): string {
  const name = basename(appDir).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 60) || "app";
  return `${name}-${createHash("sha256").update(appDir).digest("hex").slice(0, 12)}`;
}

/** The connection to one host and what the run put there. */
export class HostSession extends AgentSession {
  /** The agent's storage root over SSH channels (Node), kept while the connection and the agent are the same. */
  private channelRoot: { host: SshHost; port: number; token: string; root: HttpRoot } | undefined;
  private prepared: Promise<PreparedHost> | undefined;
  private connects = 0;

  constructor(readonly options: HostSessionOptions) {
    super(options.alias, options.connectTimeoutMs);
  }

  /** Connects, makes sure of the agent, syncs the app's folder and uploads the work program; once. */
  prepare(): Promise<PreparedHost> {
    this.prepared ??= this.prepareOnce();
    return this.prepared;
  }

  private async prepareOnce(): Promise<PreparedHost> {
    const host = await this.connection();
    // The agent made sure of while the work program is found and the home asked for.
    const agent = this.options.agentBundle().then((bundle) => ensureAgentOn(host, bundle));
    agent.catch(() => undefined);
    // The work program sent (unless the host has it) meanwhile too: a fresh host's agent takes a while to start.
    const programFile = this.options.workProgram();
    const sent = programFile.then(async (program) => {
      const there = await host.exec(`test -f "$HOME"/.lit/agent/programs/${program.fileName}`);
      if (there.code !== 0) await host.upload(`~/.lit/agent/programs/${program.fileName}`, program.code);
    });
    sent.catch(() => undefined);
    const [program, homeResult] = await Promise.all([programFile, host.exec('printf %s "$HOME"')]);
    const home = homeResult.stdout.toString();
    if (!home.startsWith("/")) throw new Error(`${this.alias}: the host's user has no home folder ($HOME is ${JSON.stringify(home)})`);
    const endpoint = await agent;
    this.agent = endpoint;
    const appDir = this.options.appDir ?? dirname(this.options.appPath);
    const name = this.options.folderName ?? appFolderName(appDir);
    const target = folderTarget(name);
    const remoteDir = `.lit/storage/${target}`;
    const root = await this.storageRoot(host);
    const [folder] = await Promise.all([syncAppFolder(root, appDir, target), sent]);
    const relativeModule = relative(appDir, this.options.appPath).split("\\").join("/");
    const appModule = `file://${posix.join(home, remoteDir, relativeModule)}`;
    recordHost(this.alias);
    const storageAppDir = `apps/${name}`;
    const storageDir = posix.join(home, ".lit/storage", storageAppDir);
    return { appModule, program: program.fileName, agent: endpoint, folder, home, appDir: remoteDir, storageDir, storageAppDir };
  }

  /** The agent's token (after {@link prepare}). */
  async token(): Promise<string> {
    return (await this.agentEndpoint()).token;
  }

  /** The agent's port and token, after {@link prepare} (a reconnect's {@link endpoint} may find it again). */
  protected override async agentEndpoint(): Promise<{ port: number; token: string }> {
    await this.prepare();
    return this.agent!;
  }

  /**
   * A way to the agent's work channel, for each (re)connect: on Node a stream
   * through the SSH connection, on Bun and Deno a local port forwarded through it.
   */
  async endpoint(): Promise<ChannelEndpoint> {
    await this.prepare();
    const host = await this.connection();
    // A reconnect: the agent may have been killed (then it starts again and re-adopts its works).
    if (this.connects++ > 0) this.agent = await ensureAgentOn(host, await this.options.agentBundle(), false);
    return this.channelEndpoint(this.agent!.port, host);
  }

  /**
   * The agent's storage root, its requests carried by a local port forwarded
   * through the SSH connection, and where the app's works keep their roots in it.
   */
  async storage(): Promise<HostStorage> {
    const prepared = await this.prepare();
    return { root: await this.storageRoot(await this.connection()), appDir: prepared.storageAppDir };
  }

  /**
   * The agent's storage root through `host`: on Node its requests go in SSH
   * channels to the agent's port (kept open between requests), elsewhere
   * through a local port forwarded by `host`.
   */
  private async storageRoot(host: SshHost): Promise<HttpRoot> {
    const { port, token } = this.agent!;
    if (runtimeKind() !== "node") {
      const local = await this.localPort(port, host);
      return httpRoot({ url: `http://127.0.0.1:${local}/v1/storage`, token });
    }
    const kept = this.channelRoot;
    if (kept?.host === host && kept.port === port && kept.token === token) return kept.root;
    const root = httpRoot({ url: `http://127.0.0.1:${port}/v1/storage`, token, fetch: nodeFetchOver(() => host.forward(port)) });
    this.channelRoot = { host, port, token, root };
    return root;
  }

}

/** Builds `fn`'s result once, on first use. */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= fn());
}

/** The agent bundle, once per process: from this machine's program cache (program-cache.ts), else built. */
export const agentBundleOnce = once(async (): Promise<AgentBundle & { built: boolean }> => {
  const key = { kind: "agent", agent: createRequire(import.meta.url).resolve("@lit-app/gpu-agent") };
  const { code, hash, note, built } = await cachedProgram(key, async () => {
    const bundle = await (await import("@lit-app/gpu-agent")).buildAgentBundle();
    return { ...bundle, note: bundle.version };
  });
  return { code, hash, version: note, built };
});

const programs = new Map<string, Promise<WorkProgram & { built: boolean }>>();

/**
 * The app's work program, once per process for each app module and compute
 * names: from this machine's program cache (program-cache.ts), else built.
 */
export function workProgramOnce(appPath: string, customComputes: readonly string[]): Promise<WorkProgram & { built: boolean }> {
  const key = JSON.stringify([appPath, customComputes]);
  let program = programs.get(key);
  if (!program) {
    program = workProgramCached(appPath, customComputes);
    programs.set(key, program);
  }
  return program;
}
