/**
 * The executor of one host's works in `lit run --host`: the first work that
 * starts there prepares the host (SSH, agent, folder, work program; see
 * {@link HostSession}); a host that cannot be prepared fails that start with
 * the reason (unknown host key, refused, no runtime, disk full), and so the
 * app. Then every work on the host runs through one {@link RemoteExecutor},
 * whose work channel goes through the session's one SSH connection.
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import type { WorkCall, WorkEvent, WorkExecutor, WorkRef } from "@lit-app/core/internal";
import type { RemoteExecutor } from "@lit-app/gpu-agent/client";
import type { HostSession } from "./host-session.ts";
import type { DriveAuthority } from "./drive-authority.ts";
import type { DriveRequests } from "./drive-requests.ts";
import type { RelayHost } from "./path-relay.ts";
import type { ServedPort } from "./served-port.ts";

/** Options of a {@link HostExecutor}. */
export interface HostExecutorOptions {
  /** How long the link may stay down before the host's works fail with reason `host lost`, ms. */
  hostLostMs?: number;
  stopGraceMs?: number;
  /** Where the app's Drives are kept: the host's works' Drive operations are done there (none: on the host, apart). */
  driveAuthority?: () => Promise<DriveAuthority>;
}

/** Runs the works the `--host` rules send to one host. */
export class HostExecutor implements WorkExecutor {
  private emit: (event: WorkEvent) => void = () => {};
  private remote: RemoteExecutor | undefined;
  private ready: Promise<RemoteExecutor> | undefined;
  private session: HostSession | undefined;
  private drives: DriveRequests | undefined;
  /** The local ports forwarded to works' ports on the host, by work. */
  private readonly served = new Map<string, Promise<ServedPort | undefined>>();

  /**
   * @param alias the SSH host
   * @param appPath the app's module here
   * @param customComputes compute names of the user's own the rules map
   */
  constructor(
    readonly alias: string,
    private readonly appPath: string,
    private readonly customComputes: readonly string[],
    private readonly options: HostExecutorOptions = {},
  ) {}

  bind(emit: (event: WorkEvent) => void): void {
    this.emit = emit;
    this.remote?.bind(emit);
  }

  private executor(): Promise<RemoteExecutor> {
    this.ready ??= this.open();
    return this.ready;
  }

  /** Loaded only when a work runs on a host: SSH and the agent's client stay out of runs without --host. */
  private async open(): Promise<RemoteExecutor> {
    const [{ HostSession, agentBundleOnce, workProgramOnce }, { RemoteExecutor }] = await Promise.all([
      import("./host-session.ts"),
      import("@lit-app/gpu-agent/client"),
    ]);
    const session = new HostSession({
      alias: this.alias,
      appPath: this.appPath,
      agentBundle: agentBundleOnce,
      workProgram: () => workProgramOnce(this.appPath, this.customComputes),
    });
    this.session = session;
    const prepared = await session.prepare();
    const remote = new RemoteExecutor({
      host: this.alias,
      connect: () => session.endpoint(),
      token: () => session.token(),
      appModule: prepared.appModule,
      // Where the classes of works created inside run() are looked for (the app's modules here), named by their
      // paths from the app's folder, as the work program knows them.
      localAppModule: pathToFileURL(this.appPath),
      program: prepared.program,
      storageDir: prepared.storageDir,
      // The agent keeps this app's works apart from another app's of the same names.
      app: prepared.storageAppDir,
      ...(this.options.hostLostMs !== undefined ? { hostLostMs: this.options.hostLostMs } : {}),
      ...(this.options.stopGraceMs !== undefined ? { stopGraceMs: this.options.stopGraceMs } : {}),
    });
    remote.bind(this.emit);
    this.remote = remote;
    if (this.options.driveAuthority) {
      const { serveDriveRequests } = await import("./drive-requests.ts");
      const host = { relay: this.relayHost(), agent: () => session.agentHttp(), appDir: async () => (await session.prepare()).storageAppDir };
      this.drives = serveDriveRequests(host, await this.options.driveAuthority(), (line) => process.stderr.write(`${line}\n`));
      // The agent knows the app's Drives are served here before a work of it starts (bounded: an agent
      // that does not answer fails the work's start anyway).
      await Promise.race([this.drives.ready, new Promise((r) => setTimeout(r, 15_000).unref?.())]);
    }
    return remote;
  }

  /** The host as the Path relay reaches it (once a work started there). */
  relayHost(): RelayHost {
    const prepared = async () => {
      await this.executor();
      return this.session!.prepare();
    };
    return {
      alias: this.alias,
      storage: async () => (await prepared(), this.session!.storage()),
    };
  }

  async start(work: WorkRef): Promise<void> {
    const remote = await this.executor();
    if (work.port !== undefined && !this.served.has(work.name)) this.served.set(work.name, this.serve(work.name, work.port));
    // Where the work runs, in its log (the terminal and the UI) until the engine has a field for it.
    this.emit({ type: "log", work: work.name, stream: "stderr", line: `[lit-app] ${work.name} runs on ${this.alias}` });
    return remote.start(work);
  }

  /** The work's port here, forwarded to its port on the host; a port taken here is said once, and not forwarded. */
  private async serve(name: string, port: number): Promise<ServedPort | undefined> {
    const { forwardServedPort } = await import("./served-port.ts");
    const session = this.session!;
    try {
      return await forwardServedPort(port, () => session.sshHost());
    } catch (error) {
      const why = (error as { code?: string }).code === "EADDRINUSE" ? `port ${port} is taken on this machine` : String(error);
      this.emit({ type: "log", work: name, stream: "stderr", line: `[lit-app] ${name} serves on port ${port} of ${this.alias}; it is not forwarded here: ${why}.` });
      return undefined;
    }
  }

  call(work: WorkRef, call: WorkCall): void {
    if (this.remote) return this.remote.call(work, call);
    this.executor().then(
      (remote) => remote.call(work, call),
      (error: unknown) => this.emit({ type: "failed", work: work.name, callId: call.id, error: { name: "Error", message: error instanceof Error ? error.message : String(error) } }),
    );
  }

  async stop(work: WorkRef): Promise<void> {
    const served = this.served.get(work.name);
    this.served.delete(work.name);
    await (await served)?.close();
    if (!this.ready) return;
    const remote = await this.ready.catch(() => undefined);
    await remote?.stop(work);
  }

  async close(): Promise<void> {
    const remote = this.ready ? await this.ready.catch(() => undefined) : undefined;
    await this.drives?.close();
    await remote?.close();
    const served = [...this.served.values()];
    this.served.clear();
    await Promise.all(served.map(async (s) => (await s)?.close()));
    await this.session?.close();
  }
}
