/**
 * `lit deploy app.ts --host gpu-box [--host cpu=cpu-box] [--name NAME] [--flow-host H]`:
 * the whole app goes to the user's hosts and keeps running after the command
 * returns. Each host is prepared as for `lit run --host` (SSH, agent, the
 * app's folder synced, the work program); the flow's host also gets the flow
 * program, and the other hosts the app's key (forwarding to their agent
 * only); then the flow host's agent starts the flow, and this command waits
 * until it runs. A host that cannot be prepared fails the deploy before
 * anything starts; a flow that does not start is removed with its keys.
 */
import { resolve } from "node:path";
import process from "node:process";
import type { DeployAppSpec, DeployedAppStatus, DeployHost } from "@lit-app/gpu-agent";
import { resolveHost, type SshHost } from "@lit-app/ssh";
import { UsageError } from "../cli/errors.ts";
import type { DeployFlags } from "../cli/program.ts";
import { parseHostRules } from "../remote/host-rules.ts";
import { AgentRequestError } from "../remote/agent-request.ts";
import { agentBundleOnce, HostSession, workProgramOnce, type PreparedHost } from "../remote/host-session.ts";
import { authorizedKeyLine, installAppKey, makeAppKey, removeAppKey } from "./app-key.ts";
import { checkAppName, defaultAppName, deployedFolderName } from "./app-name.ts";
import { flowProgramCached } from "./flow-program.ts";
import { verifiedKnownHostsLine } from "./host-key-lines.ts";
import { publicServerOptions } from "./public-server.ts";

/** A deploy that did not happen: what, where, and what to do. */
export class DeployError extends Error {
  readonly code = "E_DEPLOY";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeployError";
  }
}

const print = (line: string) => void process.stdout.write(`${line}\n`);
const note = (line: string) => void process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const MiB = 1 << 20;

/** How long the flow may take to start (its server listening), ms. */
const START_TIMEOUT_MS = 90_000;

/** `lit deploy`; resolves to the exit code. */
export async function deployCommand(file: string, flags: DeployFlags): Promise<number> {
  const appPath = resolve(file);
  if (!flags.host?.length) throw new UsageError("lit deploy: name at least one host: lit deploy app.ts --host gpu-box (an SSH host as in ~/.ssh/config).");
  const rules = parseHostRules(flags.host);
  const name = checkAppName(flags.name ?? defaultAppName(appPath), "deploy");
  const server = publicServerOptions(flags);
  const flowHost = flags.flowHost ?? rules.aliases[0]!;
  const aliases = [...new Set([flowHost, ...rules.aliases])];
  const started = performance.now();
  const flowProgram = flowProgramCached(appPath, rules.customComputes);
  // Awaited once the flow's host is prepared; a deploy that fails before then reports that failure.
  flowProgram.catch(() => undefined);
  const sessions = new Map(
    aliases.map((alias) => [
      alias,
      // Its folders named after the deployed name: two apps deployed from one folder keep their code, storage and Drives apart.
      new HostSession({ alias, appPath, folderName: deployedFolderName(name), agentBundle: agentBundleOnce, workProgram: () => workProgramOnce(appPath, rules.customComputes) }),
    ]),
  );
  const keyed: SshHost[] = [];
  /** Key installs under way: each settles before a failed deploy takes the keys back. */
  const installs: Promise<unknown>[] = [];
  let posted = false;
  /** Set as a deploy fails: no key is installed after it. */
  let failed = false;
  const flowSession = sessions.get(flowHost)!;
  const key = aliases.length > 1 ? makeAppKey(name) : undefined;
  try {
    // Every host prepared (or the deploy fails here, with nothing started), each as soon as it can be:
    // the flow's host gets the flow program, the others the app's key.
    const prepared = new Map<string, PreparedHost>();
    const hosts: DeployHost[] = await Promise.all(
      aliases.map(async (alias): Promise<DeployHost> => {
        const session = sessions.get(alias)!;
        // The flow program sent to its host (unless it has it) while the host is prepared.
        const flowSent = alias === flowHost ? Promise.all([session.sshHost(), flowProgram]).then(([ssh, program]) => sendFlowProgram(ssh, program)) : undefined;
        flowSent?.catch(() => undefined);
        let p: PreparedHost;
        try {
          p = await session.prepare();
        } catch (error) {
          throw new DeployError(`lit deploy: ${alias} cannot be used: ${error instanceof Error ? error.message : String(error)}. Nothing was started.`, { cause: error });
        }
        prepared.set(alias, p);
        const common = { alias, appModule: p.appModule, program: p.program, storageDir: p.storageDir };
        const ssh = await session.sshHost();
        if (flowSent) {
          await flowSent;
          return { ...common, via: "local" };
        }
        // The host's key as the flow's host will reach it: the one this connection checked against this machine's known_hosts.
        const { resolved } = ssh;
        let knownHosts: string[];
        try {
          knownHosts = [verifiedKnownHostsLine(ssh)];
        } catch (error) {
          throw new DeployError(`lit deploy: ${flowHost} cannot be given ${alias}'s host key: ${(error as Error).message}. Nothing was started.`);
        }
        if (key) {
          if (failed) throw new DeployError(`lit deploy: ${alias}: the deploy failed on another host`);
          keyed.push(ssh);
          const install = installAppKey(ssh, authorizedKeyLine(key, p.agent.port, name), name);
          installs.push(install.catch(() => undefined));
          await install;
        }
        return { ...common, via: "ssh", ssh: { hostName: resolved.hostName, port: resolved.port, user: resolved.user, knownHosts, agentPort: p.agent.port, token: p.agent.token } };
      }),
    );
    const program = await flowProgram;
    const built = [
      ["the flow program", program],
      ["the work program", await workProgramOnce(appPath, rules.customComputes)],
      ["the agent", await agentBundleOnce()],
    ] as const;
    const fresh = built.filter(([, p]) => p.built).map(([what, p]) => `${what} (${(p.code.length / MiB).toFixed(1)} MiB)`);
    // What was built this time (an unchanged app's programs come from ~/.lit/cache/programs).
    if (fresh.length > 0) note(`lit deploy: built ${fresh.join(", ")}`);
    const flowPrepared = prepared.get(flowHost)!;
    const spec: DeployAppSpec = {
      name,
      bundle: program.hash,
      folder: flowPrepared.appDir.replace(/^\.lit\//, ""),
      rules: flags.host,
      hosts,
      ...(key ? { sshKey: key.privateKey } : {}),
      env: {},
      options: { restart: true, port: 0, resume: flags.resume === true, ...server },
    };
    const flowSsh = await flowSession.sshHost();
    const agent = agentRequest(flowSession);
    await agent("POST", "/v1/apps", spec);
    posted = true;
    const status = await waitUntilRunning(agent, name, flowSsh);
    posted = false;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    print(`deployed ${name} in ${seconds} s: the flow on ${flowHost}${status.pid ? ` (pid ${status.pid})` : ""}`);
    for (const rule of rules.rules) print(`  ${rule.prefix === undefined ? "works" : `${rule.prefix} works`} on ${rule.alias}`);
    if (status.stage === "finished" || status.stage === "failed") {
      print(`  the app already ${status.stage === "failed" ? "failed" : "ended"}: ${status.result?.message ?? ""}`);
    }
    print(`  lit status --name ${name}    its stage and components`);
    print(`  lit ui --name ${name}        its UI and API through an SSH tunnel`);
    if ("token" in server) print(`  public on http://${resolveHost(flowHost).hostName}:${status.serverPort}/?token=${server.token} (every request needs the token)`);
    print(`  lit stop --name ${name}      stop it (--purge also removes its storage)`);
    print(`  its log on ${flowHost}: ~/.lit/deployed/${name}/flow.log`);
    return 0;
  } catch (error) {
    failed = true;
    // Nothing half-started: the flow removed, the keys taken back.
    if (posted) {
      // With --resume, the state it was to resume from stays (a flow that found its journal's components
      // differ from the app's failed without changing it): the code that wrote it resumes it with --resume.
      await agentRequest(flowSession)("DELETE", `/v1/apps/${name}${flags.resume ? "" : "?purge=1"}`).catch(() => undefined);
    }
    await Promise.all(installs);
    for (const ssh of keyed) await removeAppKey(ssh, name).catch(() => undefined);
    throw error;
  } finally {
    await Promise.all([...sessions.values()].map((s) => s.close()));
  }
}

/** Puts the flow program in the host's `~/.lit/bundles/<hash>.mjs`, unless it is there. */
async function sendFlowProgram(ssh: SshHost, program: { hash: string; code: Uint8Array }): Promise<void> {
  const bundlePath = `.lit/bundles/${program.hash}.mjs`;
  if ((await ssh.exec(`test -f "$HOME"/${bundlePath}`)).code !== 0) await ssh.upload(`~/${bundlePath}`, program.code);
}

type AgentRequest = <T = unknown>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown) => Promise<T>;

/** Requests to the flow host's agent through its session; what the agent refuses is a {@link DeployError}. */
function agentRequest(session: HostSession): AgentRequest {
  return async <T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> => {
    try {
      return await session.request<T>(method, path, body);
    } catch (error) {
      if (!(error instanceof AgentRequestError)) throw error;
      throw new DeployError(`lit deploy: ${session.alias}'s agent refused ${method} ${path}: ${error.said}`, { cause: error });
    }
  };
}

/** Waits until the flow's server listens (or the app already ended); a flow that dies first fails the deploy with its log. */
async function waitUntilRunning(agent: AgentRequest, name: string, flowSsh: SshHost): Promise<DeployedAppStatus> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const asked = Date.now();
    // The agent answers as the flow's server listens, or as the flow ends (at most 10 s later): no polling.
    const status = await agent<DeployedAppStatus>("GET", `/v1/apps/${name}?wait=running`);
    if ((status.stage === "running" && status.serverPort !== null) || status.stage === "finished") return status;
    if (status.stage === "failed" || status.restarts > 0 || Date.now() > deadline) {
      const log = await flowSsh.exec(`tail -n 40 "$HOME"/.lit/deployed/${name}/flow.log`).catch(() => undefined);
      const why = status.stage === "failed" ? (status.result?.message ?? "the app failed as it started") : status.restarts > 0 ? "the flow process ended as it started" : `the flow did not start within ${START_TIMEOUT_MS / 1000} s`;
      note(log?.stdout ? `--- ~/.lit/deployed/${name}/flow.log on ${flowSsh.alias}\n${log.stdout.trimEnd()}\n---` : "");
      throw new DeployError(`lit deploy: ${name} on ${flowSsh.alias}: ${why}; the app was removed (its log is above).`);
    }
    // An answer that did not wait (the app stopping, or still starting after the agent's bound): ask again shortly.
    if (Date.now() - asked < 100) await sleep(100);
  }
}
