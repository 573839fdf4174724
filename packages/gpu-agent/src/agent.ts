/**
 * Starting the agent of one lit home: one at a time per home (the control
 * socket), replacing an older or different version cleanly, listening on
 * 127.0.0.1 only, and telling who it is in `agent/agent.json`.
 */
import { chmod, mkdir, readFile, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { writeFileAtomic } from "@lit-app/runtime";
import type { Hono } from "hono";
import { currentRuntime, type AgentInfo } from "./agent-info.ts";
import { createAgentApp, type AgentMount } from "./app.ts";
import { askControl, listenControl } from "./control-socket.ts";
import { AgentLockError } from "./errors.ts";
import { GpuPool } from "./gpu/gpu-pool.ts";
import { readGpuInventory } from "./gpu/inventory.ts";
import type { AgentModule, AgentModuleInstance } from "./module.ts";
import { agentPaths, type AgentPaths } from "./paths.ts";
import { createServeAdapter } from "./serve/adapter.ts";
import type { Listening, ServeAdapter } from "./serve/types.ts";
import { takeStartLock } from "./start-lock.ts";
import { ensureToken } from "./token.ts";
import { AGENT_VERSION } from "./version.ts";
import type { WorkTable } from "./work-table.ts";

/** Options of {@link startAgent}. */
export interface StartAgentOptions {
  /** The lit home (`~/.lit`). */
  home: string;
  /** The port on 127.0.0.1 (default 0: a free one). */
  port?: number;
  /** The host's name as users know it (default: the OS host name). */
  hostName?: string;
  /** The sha256 of the bundle this runs from (main.ts hashes its own file). */
  bundleHash?: string;
  /** The agent's version (default: the package's). */
  version?: string;
  /** The modules to run (main.ts passes src/modules.ts's list). */
  modules?: AgentModule[];
}

/** A started agent. */
export interface RunningAgent {
  status: "started";
  info: AgentInfo;
  paths: AgentPaths;
  /** Resolves when the agent stopped (closed, or asked to stop by a newer one). */
  stopped: Promise<void>;
  /** Stops it: modules, server, agent.json, control socket. Work processes keep running. */
  close(): Promise<void>;
}

/** The agent of the same version already runs in this home. */
export interface AlreadyRunning {
  status: "running";
  info: AgentInfo;
  paths: AgentPaths;
}

const sameAgent = (info: AgentInfo, version: string, bundleHash: string | undefined): boolean =>
  info.version === version && (info.bundleHash ?? null) === (bundleHash ?? null);

/** How long an old agent may take to stop when a new version replaces it. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * Starts the agent of `options.home`, or finds it running: an agent of the same
 * version and bundle is left running (`status: "running"`); another one is
 * asked to stop, waited for, and replaced.
 * @throws AgentLockError when the home is held by an agent that does not stop.
 * @throws HostConfigError when host.json is invalid.
 */
export async function startAgent(options: StartAgentOptions): Promise<RunningAgent | AlreadyRunning> {
  const paths = agentPaths(options.home);
  const version = options.version ?? AGENT_VERSION;
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  await chmod(paths.dir, 0o700);
  const releaseStart = await takeStartLock(paths.startLock);
  try {
    const running = await askControl(paths.control, { op: "info" }).catch((error: unknown) => {
      if (error instanceof AgentLockError) return "hung" as const;
      throw error;
    });
    if (running === null) return await startNew(options, paths, version);
    const runningInfo = running === "hung" ? null : ((running.info ?? null) as AgentInfo | null);
    if (runningInfo !== null && sameAgent(runningInfo, version, options.bundleHash)) return { status: "running", info: runningInfo, paths };
    await stopOld(paths, runningInfo, running === "hung");
    return await startNew(options, paths, version);
  } finally {
    await releaseStart();
  }
}

/** Whether an agent still holds the control socket (one that does not answer holds it too). */
const holds = async (paths: AgentPaths): Promise<boolean> => (await askControl(paths.control, { op: "info" }, 500).catch(() => ({}))) !== null;

/** Waits up to `ms` for the control socket to be free. */
async function released(paths: AgentPaths, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (await holds(paths)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Stops the agent holding the home: asked through the control socket; one that
 * does not answer (hung), or does not stop in time, is signalled by the pid in
 * its agent.json (SIGTERM, then SIGKILL).
 */
async function stopOld(paths: AgentPaths, info: AgentInfo | null, hung: boolean): Promise<void> {
  if (!hung) {
    await askControl(paths.control, { op: "stop" }).catch(() => null);
    if (await released(paths, STOP_TIMEOUT_MS)) return;
  }
  const pid = info?.pid ?? (await readFile(paths.info, "utf8").then((text) => (JSON.parse(text) as AgentInfo).pid, () => null));
  if (typeof pid === "number" && pid > 0 && pid !== process.pid) {
    for (const [signal, ms] of [["SIGTERM", 3000], ["SIGKILL", 2000]] as const) {
      try {
        process.kill(pid, signal);
      } catch {}
      if (await released(paths, ms)) return;
    }
  }
  throw new AgentLockError(
    `[agent] the agent holding ${paths.control} (pid ${pid ?? "unknown"}) ${hung ? "does not answer" : `did not stop in ${STOP_TIMEOUT_MS} ms`}. Stop it by hand and start again.`,
  );
}

/**
 * Listens on `port`, or (with 0) on the port this lit home's agent had before when it is free, else on any
 * free one; the port is kept in `agent/port`. An agent started again (replaced, killed, after a reboot) is
 * then where the hosts of a deployed app expect it: their key for the app forwards to that port only.
 */
async function listenOnKnownPort(adapter: ServeAdapter, app: Hono, paths: AgentPaths, port: number): Promise<Listening> {
  const file = join(paths.dir, "port");
  const before = port === 0 ? Number((await readFile(file, "utf8").catch(() => "")).trim()) : NaN;
  let listening: Listening | undefined;
  if (Number.isInteger(before) && before > 0 && before < 65536) listening = await adapter.listen(app.fetch, "127.0.0.1", before).catch(() => undefined);
  listening ??= await adapter.listen(app.fetch, "127.0.0.1", port);
  if (port === 0) await writeFileAtomic(file, `${listening.port}\n`, { mode: 0o600 });
  return listening;
}

async function startNew(options: StartAgentOptions, paths: AgentPaths, version: string): Promise<RunningAgent> {
  const hostName = options.hostName ?? hostname();
  const agent: Omit<AgentInfo, "port"> = {
    version,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ...(options.bundleHash === undefined ? {} : { bundleHash: options.bundleHash }),
    ...currentRuntime(),
  };
  const token = await ensureToken(paths.token);
  const inventory = await readGpuInventory({ hostConfig: paths.hostConfig });
  const gpuPool = await GpuPool.open({
    file: paths.gpus,
    gpus: inventory.gpus,
    hostName,
    ...(inventory.error === undefined ? {} : { unavailable: inventory.error }),
  });
  const instances: AgentModuleInstance[] = [];
  const closeModules = async (): Promise<void> => {
    for (const instance of instances.reverse()) await instance.close?.().catch(() => undefined);
  };
  let info: AgentInfo | null = null;
  let stopRequested: () => void = () => undefined;
  const stopAsked = new Promise<void>((resolve) => (stopRequested = resolve));
  const control = await listenControl(paths.control, { info: () => info, stop: () => stopRequested() });
  try {
    for (const module of options.modules ?? []) instances.push(await module.start({ paths, hostName, agent, gpuPool, inventory }));
    const workTables = instances.map((i) => i.workTable).filter((t): t is WorkTable => t !== undefined);
    let app: Hono | null = null;
    const adapter = await createServeAdapter(() => app!);
    app = createAgentApp({
      token,
      home: paths.home,
      hostName,
      agent,
      gpuPool,
      inventory,
      upgradeWebSocket: adapter.upgradeWebSocket,
      ...(workTables[0] === undefined ? {} : { workTable: workTables[0] }),
      mount: instances.map((i) => i.mount).filter((m): m is AgentMount => m !== undefined),
    });
    const listening = await listenOnKnownPort(adapter, app, paths, options.port ?? 0);
    info = { ...agent, port: listening.port };
    await writeFileAtomic(paths.info, JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
    let closing: Promise<void> | null = null;
    let markStopped: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (markStopped = resolve));
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        try {
          // no new request reaches a module while it closes
          await listening.close();
          await closeModules();
          const current = await readFile(paths.info, "utf8").catch(() => "");
          if (current.includes(`"pid": ${process.pid},`)) await unlink(paths.info).catch(() => undefined);
        } finally {
          // last: while the socket is held no other agent starts in this home
          await control.close();
          markStopped();
        }
      })());
    void stopAsked.then(close);
    return { status: "started", info, paths, stopped, close };
  } catch (error) {
    await closeModules();
    await control.close();
    throw error;
  }
}
