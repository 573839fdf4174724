/**
 * The deployed apps whose flow runs on this host: each flow process started
 * detached (its own process group, so it outlives the agent), its output
 * appended to `flow.log`, restarted with backoff when it dies before the app
 * ended, and found again by an agent that starts later (its record on disk,
 * the process recognised by pid and start time).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";
import { oldSpaceArgs, processAlive, processStartTime } from "@lit-app/runtime";
import { APP_NAME, type DeployAppSpec, type DeployedAppStatus, type DeployedStage } from "./app-spec.ts";
import { appFiles, deployedRoot, readResult, readServerPort, readSpec, readState, writeSpec, writeState, type AppFiles, type AppState } from "./app-files.ts";

/** The environment variable that names the app's folder to its flow process. */
export const DEPLOYED_DIR_ENV = "LIT_DEPLOYED_DIR";
/** The environment variable that tells the flow process how many times it was started again (0: the first start of this deployment). */
export const DEPLOYED_RESTARTS_ENV = "LIT_DEPLOYED_RESTARTS";

/** Options of {@link DeployedApps}. */
export interface DeployedAppsOptions {
  /** The lit home (`~/.lit`): bundles in `bundles/`, apps in `deployed/`. */
  home: string;
  /** The runtime that runs flow programs. Default: this process's. */
  runtime?: { command: string; args: string[] };
  /** First and longest wait before a dead flow is started again, ms. Default 500 and 30,000. */
  backoff?: { initialMs: number; maxMs: number };
  /** How long a stopping flow may take to stop its works before its process group is killed, ms. Default 20,000. */
  stopGraceMs?: number;
}

interface Entry {
  name: string;
  files: AppFiles;
  spec: DeployAppSpec;
  state: AppState;
  child?: ChildProcess;
  /** Polls a flow process this agent did not start (found on disk). */
  poll?: ReturnType<typeof setInterval>;
  retry?: ReturnType<typeof setTimeout>;
  startedAt: number;
  /** Resolves when the current process has ended. */
  ended?: Promise<void>;
  endedResolve?: () => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Signals the process group a flow leads. Only the group: once it is gone, the
 * flow's pid may be another process's (pids are reused), which must not be hit.
 */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Gone.
  }
}

/** The deployed apps of one agent. */
export class DeployedApps {
  private readonly apps = new Map<string, Entry>();
  private readonly busy = new Map<string, Promise<void>>();
  private closed = false;

  private constructor(private readonly options: DeployedAppsOptions) {}

  /** Opens the apps found under `<home>/deployed`: a flow that should run and is gone is started again. */
  static open(options: DeployedAppsOptions): DeployedApps {
    const apps = new DeployedApps(options);
    const root = deployedRoot(options.home);
    let names: string[] = [];
    try {
      names = readdirSync(root).filter((n) => APP_NAME.test(n));
    } catch {
      // None yet.
    }
    for (const name of names) {
      const files = appFiles(options.home, name);
      const spec = readSpec(files);
      const state = readState(files);
      if (!spec || !state) continue;
      const entry: Entry = { name, files, spec, state, startedAt: Date.now() };
      apps.apps.set(name, entry);
      if (state.pid !== null && processAlive(state.pid, state.startTime) && state.desired === "stopped") {
        // The last agent died while stopping it: finish the stop.
        signalGroup(state.pid, "SIGKILL");
        apps.save(entry, { pid: null, stage: "stopped" });
      } else if (state.pid !== null && processAlive(state.pid, state.startTime)) {
        apps.adopt(entry, state.pid);
      } else if (state.desired === "running" && !readResult(files)) {
        // Its flow died with the agent (a reboot, every process killed): started again, and counted.
        apps.save(entry, { pid: null, stage: "restarting", restarts: state.restarts + 1 });
        apps.launch(entry);
      } else if (state.stage !== "finished" && state.stage !== "failed") {
        apps.save(entry, { pid: null, stage: state.desired === "running" ? apps.endStage(entry) : "stopped" });
      }
    }
    return apps;
  }

  /**
   * Deploys `spec`: an app of that name is stopped first (its works too), then the new one starts (with the
   * old one's journal only when `options.resume`). Deploys and stops of one name run one at a time.
   */
  deploy(spec: DeployAppSpec): Promise<DeployedAppStatus> {
    return this.serially(spec.name, () => this.deployNow(spec));
  }

  /** Runs `task` after the other deploys and stops of `name` ended. */
  private serially<T>(name: string, task: () => Promise<T>): Promise<T> {
    const before = this.busy.get(name) ?? Promise.resolve();
    const run = before.then(task, task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.busy.set(name, settled);
    void settled.then(() => {
      if (this.busy.get(name) === settled) this.busy.delete(name);
    });
    return run;
  }

  private async deployNow(spec: DeployAppSpec): Promise<DeployedAppStatus> {
    const bundle = this.bundlePath(spec.bundle);
    if (!existsSync(bundle)) throw new Error(`the app's bundle is not on this host (${bundle}); upload it first`);
    const local = spec.hosts.find((h) => h.via === "local");
    if (local && !this.isAppStorage(local.storageDir)) {
      throw new Error(`its storage folder here (${local.storageDir}) is not a folder of ${join(this.options.home, "storage", "apps")}; the folder lit deploy names is ~/.lit/storage/apps/<app>`);
    }
    if (this.apps.has(spec.name)) await this.stopNow(spec.name, { purge: false });
    const files = appFiles(this.options.home, spec.name);
    mkdirSync(files.dir, { recursive: true, mode: 0o700 });
    // A new deployment: the last one's result and server are not this one's.
    rmSync(files.result, { force: true });
    rmSync(files.server, { force: true });
    if (!spec.options.resume) rmSync(files.journal, { recursive: true, force: true });
    writeSpec(files, spec);
    const entry: Entry = {
      name: spec.name,
      files,
      spec,
      state: { desired: "running", stage: "starting", pid: null, restarts: 0, deployedAt: Date.now() },
      startedAt: Date.now(),
    };
    this.apps.set(spec.name, entry);
    this.save(entry, {});
    this.launch(entry);
    return this.status(spec.name)!;
  }

  /** The app's status, or undefined when no app has that name. */
  status(name: string): DeployedAppStatus | undefined {
    const entry = this.apps.get(name);
    if (!entry) return undefined;
    const result = readResult(entry.files);
    return {
      name,
      stage: entry.state.stage,
      pid: entry.state.pid,
      serverPort: entry.state.pid === null ? null : readServerPort(entry.files, entry.state.pid),
      restarts: entry.state.restarts,
      bundle: entry.spec.bundle,
      hosts: entry.spec.hosts.map((h) => h.alias),
      flowHost: entry.spec.hosts.find((h) => h.via === "local")?.alias ?? "",
      rules: entry.spec.rules,
      storage: entry.spec.hosts.map((h) => ({ host: h.alias, dir: h.storageDir })),
      deployedAt: entry.state.deployedAt,
      ...(result ? { result } : {}),
      log: entry.files.log,
    };
  }

  /**
   * The app's status once its flow has started (its server listens) or can
   * no more start this time (it ended, failed, was stopped or is to be
   * started again), or after `timeoutMs`, whichever comes first; undefined
   * when no app has that name. Looks every 10 ms (two file reads).
   */
  async started(name: string, timeoutMs: number): Promise<DeployedAppStatus | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = this.status(name);
      if (!status || Date.now() >= deadline) return status;
      const waiting = status.stage === "starting" || (status.stage === "running" && status.serverPort === null && status.restarts === 0);
      if (!waiting) return status;
      await sleep(10);
    }
  }

  /** Every app's status. */
  list(): DeployedAppStatus[] {
    return [...this.apps.keys()].sort().map((name) => this.status(name)!);
  }

  /**
   * Stops the app: SIGTERM to its flow process (which stops its works), its
   * process group killed after the grace; the record stays (`stopped`) unless
   * `purge`, which also removes its works' storage on this host.
   * @returns false when no app has that name.
   */
  stop(name: string, options: { purge: boolean }): Promise<boolean> {
    return this.serially(name, () => this.stopNow(name, options));
  }

  private async stopNow(name: string, options: { purge: boolean }): Promise<boolean> {
    const entry = this.apps.get(name);
    if (!entry) return false;
    clearTimeout(entry.retry);
    this.save(entry, { desired: "stopped", stage: entry.state.pid === null ? "stopped" : "stopping" });
    const pid = entry.state.pid;
    if (pid !== null && processAlive(pid, entry.state.startTime)) {
      signalGroup(pid, "SIGTERM");
      const deadline = Date.now() + (this.options.stopGraceMs ?? 20_000);
      // Looked at often: a redeploy starts the new flow as soon as the old one is gone.
      while (processAlive(pid, entry.state.startTime) && Date.now() < deadline) await sleep(10);
      // The flow's own group: anything it started that is still there.
      signalGroup(pid, "SIGKILL");
      while (processAlive(pid, entry.state.startTime) && Date.now() < deadline + 2000) await sleep(20);
    }
    clearInterval(entry.poll);
    entry.poll = undefined;
    this.save(entry, { pid: null, stage: "stopped" });
    if (options.purge) {
      const local = entry.spec.hosts.find((h) => h.via === "local");
      // Only an app's folder of this agent's storage: the spec came over the network.
      if (local && this.isAppStorage(local.storageDir)) rmSync(local.storageDir, { recursive: true, force: true });
      rmSync(entry.files.dir, { recursive: true, force: true });
      this.apps.delete(name);
    }
    return true;
  }

  /** The agent stops: the flow processes go on (a later agent finds them). */
  close(): void {
    this.closed = true;
    for (const entry of this.apps.values()) {
      clearTimeout(entry.retry);
      clearInterval(entry.poll);
      entry.child?.removeAllListeners("exit");
    }
  }

  /** True for `<home>/storage/apps/<one name>`, where a deployed app's works keep their files on this host. */
  private isAppStorage(dir: string): boolean {
    const resolved = resolve(dir);
    const name = basename(resolved);
    if (dir.split("/").some((part) => part === "." || part === "..")) return false;
    return dirname(resolved) === resolve(this.options.home, "storage", "apps") && /^[A-Za-z0-9._-]+$/.test(name);
  }

  private bundlePath(hash: string): string {
    return join(this.options.home, "bundles", `${hash}.mjs`);
  }

  private save(entry: Entry, patch: Partial<AppState>): void {
    entry.state = { ...entry.state, ...patch };
    if (existsSync(entry.files.dir)) writeState(entry.files, entry.state);
  }

  /** The stage of an app whose flow process ended: how the app ended, or `restarting`. */
  private endStage(entry: Entry): DeployedStage {
    const result = readResult(entry.files);
    if (result) return result.stage === "succeeded" || result.stage === "stopped" ? "finished" : "failed";
    return "restarting";
  }

  /** Starts the flow process. */
  private launch(entry: Entry): void {
    if (this.closed) return;
    // A flow on Node starts with the old-generation room its Path relays need (@lit-app/runtime old-space.ts).
    const runtime = this.options.runtime ?? { command: process.execPath, args: [...process.execArgv, ...oldSpaceArgs()] };
    const output = openSync(entry.files.log, "a", 0o600);
    let child: ChildProcess;
    try {
      child = spawn(runtime.command, [...runtime.args, this.bundlePath(entry.spec.bundle)], {
        detached: true,
        stdio: ["ignore", output, output],
        cwd: join(this.options.home, entry.spec.folder),
        env: { ...process.env, ...entry.spec.env, [DEPLOYED_DIR_ENV]: entry.files.dir, [DEPLOYED_RESTARTS_ENV]: String(entry.state.restarts), LIT_HOME: this.options.home },
      });
    } catch (error) {
      this.ended(entry, `the flow process could not start: ${(error as Error).message}`);
      return;
    } finally {
      closeSync(output);
    }
    child.once("error", (error) => this.ended(entry, `the flow process could not start: ${error.message}`));
    if (child.pid === undefined) return;
    child.unref();
    entry.child = child;
    entry.startedAt = Date.now();
    const startTime = processStartTime(child.pid);
    this.save(entry, { pid: child.pid, stage: "running", ...(startTime ? { startTime } : {}) });
    child.once("exit", () => {
      entry.child = undefined;
      this.ended(entry);
    });
  }

  /** Watches a flow process a previous agent started. */
  private adopt(entry: Entry, pid: number): void {
    entry.poll = setInterval(() => {
      if (processAlive(pid, entry.state.startTime)) return;
      clearInterval(entry.poll);
      entry.poll = undefined;
      this.ended(entry);
    }, 500);
    (entry.poll as { unref?: () => void }).unref?.();
  }

  /** The flow process ended (or never started): the app ended, was stopped, or is started again after a wait. */
  private ended(entry: Entry, why?: string): void {
    if (this.apps.get(entry.name) !== entry || this.closed) return;
    if (entry.state.desired === "stopped") return this.save(entry, { pid: null, stage: entry.state.stage === "stopping" ? "stopping" : "stopped" });
    const stage = this.endStage(entry);
    if (stage !== "restarting" || !entry.spec.options.restart) {
      return this.save(entry, { pid: null, stage: stage === "restarting" ? "failed" : stage });
    }
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    // A flow that ran a minute counts as healthy again: the wait starts over.
    const streak = Date.now() - entry.startedAt > 60_000 ? 0 : entry.state.restarts;
    const wait = Math.min(maxMs, initialMs * 2 ** Math.min(streak, 16));
    this.save(entry, { pid: null, stage: "restarting", restarts: entry.state.restarts + 1 });
    if (why) process.stderr.write(`[agent] ${entry.name}: ${why}; trying again in ${wait} ms\n`);
    entry.retry = setTimeout(() => {
      if (this.apps.get(entry.name) === entry && entry.state.desired === "running") this.launch(entry);
    }, wait);
    (entry.retry as { unref?: () => void }).unref?.();
  }
}
