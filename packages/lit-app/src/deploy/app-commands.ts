/**
 * `lit apps`, `lit status [--name]` and `lit stop [--name] [--purge]`: the
 * deployed apps on the hosts lit knows, asked through their agents over SSH.
 */
import process from "node:process";
import { resolveHost } from "@lit-app/ssh";
import { parseHostRules } from "../remote/host-rules.ts";
import { AgentSession } from "../remote/agent-session.ts";
import { deployedAppKeyOf } from "./app-name.ts";
import { pickApp, surveyApps, type AppSurvey } from "./find-app.ts";
import { readPublicToken } from "./public-server.ts";
import { purgeStorage, stopAppWorks, stopWithoutFlow } from "./stop-works.ts";

const print = (line: string) => void process.stdout.write(`${line}\n`);

/** The longest state document of the app server `lit status` reads. */
const STATE_LIMIT = 16 << 20;

function sayUnreachable(survey: AppSurvey): void {
  for (const u of survey.unreachable) process.stderr.write(`lit: ${u.alias} not reached: ${u.reason}\n`);
}

const ago = (ms: number) => {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
};

/** `lit apps`: each deployed app, its stage, flow host and hosts. */
export async function appsCommand(): Promise<number> {
  const survey = await surveyApps();
  try {
    sayUnreachable(survey);
    if (survey.apps.length === 0) {
      print("no deployed apps on the hosts lit knows (lit deploy app.ts --host <ssh host> deploys one)");
      return 0;
    }
    for (const { status } of survey.apps) {
      const pid = status.pid ? `  pid ${status.pid}` : "";
      const restarts = status.restarts ? `  ${status.restarts} restart${status.restarts === 1 ? "" : "s"}` : "";
      print(`${status.name}  ${status.stage}  flow on ${status.flowHost}  hosts ${status.hosts.join(", ")}  deployed ${ago(status.deployedAt)}${pid}${restarts}`);
    }
    return 0;
  } finally {
    await survey.close();
  }
}

/** The state document of the app server (`GET /api/v1/state`), as far as status reads it. */
interface AppState {
  stage: string;
  components: Record<string, { kind: "flow" | "work"; status?: { stage?: string; reason?: string }; compute?: { name?: string } }>;
}

/** `lit status [--name]`: the app's stage, and each component with its status and host. */
export async function statusCommand(flags: { name?: string }): Promise<number> {
  const survey = await surveyApps();
  try {
    const { status, link } = pickApp(survey, "status", flags.name);
    print(`${status.name}: ${status.stage}, flow on ${status.flowHost}${status.pid ? ` (pid ${status.pid})` : ""}, ${status.restarts} restart${status.restarts === 1 ? "" : "s"}`);
    if (status.result) print(`  ended: ${status.result.stage}${status.result.message ? `: ${status.result.message}` : ""}`);
    if (status.serverPort === null) return 0;
    const port = await link.localPort(status.serverPort);
    const url = `http://127.0.0.1:${port}/api/v1/state`;
    let res = await fetch(url);
    // Deployed with --public: its server wants the token, kept on the flow's host.
    const token = res.status === 401 ? await readPublicToken(await link.sshHost(), status.log) : undefined;
    if (token) res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${status.flowHost}: the app server answered ${res.status} for /api/v1/state`);
    const { readLimited } = await import("@lit-app/storage/http");
    const body = await readLimited(res.body, STATE_LIMIT, () => new Error(`${status.flowHost}: the app server's state is larger than ${STATE_LIMIT} bytes`));
    const state = JSON.parse(new TextDecoder().decode(body)) as AppState;
    const rules = parseHostRules(status.rules);
    const works = Object.entries(state.components).filter(([, c]) => c.kind === "work");
    const placed = works.map(([name, c]) => ({ name, c, host: rules.hostFor(c.compute?.name ?? "default") ?? status.flowHost }));
    const gpus = await gpusInUse(survey, [...new Set(placed.map((p) => p.host))], deployedAppKeyOf(status.name));
    print(`  app stage: ${state.stage}`);
    if (token) print(`  public on http://${resolveHost(status.flowHost).hostName}:${status.serverPort}/?token=${token}`);
    for (const [name, c] of Object.entries(state.components)) if (c.kind === "flow") print(`  ${name}  flow  on ${status.flowHost}`);
    for (const { name, c, host } of placed) {
      const stage = c.status?.stage ?? "not started";
      const held = gpus.get(host)?.get(name) ?? [];
      print(
        `  ${name}  work  ${stage}${c.status?.reason ? ` (${c.status.reason})` : ""}  on ${host}` +
          `${c.compute?.name ? `  compute ${c.compute.name}` : ""}${held.length ? `  GPUs ${held.join(",")}` : ""}`,
      );
    }
    return 0;
  } finally {
    await survey.close();
  }
}

/**
 * Per host, the GPUs each work of the app whose key is `app` holds there (from the host's report, which
 * names the holder by its dotted name and its app; an agent of an earlier version named it `<app>#<work>`).
 * A host not reached has none listed.
 */
async function gpusInUse(survey: AppSurvey, hosts: string[], app: string): Promise<Map<string, Map<string, string[]>>> {
  const out = new Map<string, Map<string, string[]>>();
  await Promise.all(
    hosts.map(async (alias) => {
      const link = survey.links.find((l) => l.alias === alias);
      const report = await link?.request<{ gpus: { uuid: string; work: string | null; app?: string }[] }>("GET", "/v1/host").catch(() => undefined);
      const held = new Map<string, string[]>();
      for (const gpu of report?.gpus ?? []) {
        const work = gpu.work === null ? undefined : gpu.app === app ? gpu.work : gpu.work.startsWith(`${app}#`) ? gpu.work.slice(app.length + 1) : undefined;
        if (work !== undefined) held.set(work, [...(held.get(work) ?? []), gpu.uuid]);
      }
      out.set(alias, held);
    }),
  );
  return out;
}

/**
 * `lit stop [--name] [--purge]`: stops the app on its flow host (which stops its works), then its works
 * left on the other hosts, and takes its key back from them. A flow whose host is not reached (or that
 * is gone) is left to {@link stopWithoutFlow}: the works are stopped through the other hosts' agents.
 */
export async function stopCommand(flags: { name?: string; purge?: boolean }): Promise<number> {
  const survey = await surveyApps();
  try {
    const named = flags.name === undefined ? undefined : survey.apps.find((a) => a.status.name === flags.name);
    if (flags.name !== undefined && !named) return await stopWithoutFlow(survey, flags.name, undefined, flags.purge);
    const { status, link } = named ?? pickApp(survey, "stop", flags.name);
    try {
      await link.request("DELETE", `/v1/apps/${status.name}${flags.purge ? "?purge=1" : ""}`);
    } catch (error) {
      return await stopWithoutFlow(survey, status.name, `${status.flowHost}: ${(error as Error).message}`, flags.purge);
    }
    const others = status.hosts.filter((h) => h !== status.flowHost);
    const failed: string[] = [];
    // The flow stopped its works there as it ended; one it left (it was killed before) is stopped now.
    await stopAppWorks(link, status.name).catch((error: unknown) => void failed.push(`${status.flowHost} (${(error as Error).message})`));
    await Promise.all(
      others.map(async (alias) => {
        const open = survey.links.find((l) => l.alias === alias);
        const other = open ?? (await AgentSession.open(alias).catch(() => undefined));
        try {
          if (!other) throw new Error("not reached");
          // Its flow stopped them; a work it could not reach (the link between the hosts was down) is stopped here.
          await stopAppWorks(other, status.name);
          const storage = status.storage.find((s) => s.host === alias)?.dir;
          if (flags.purge && storage) await purgeStorage(other, storage);
        } catch (error) {
          failed.push(`${alias} (${(error as Error).message})`);
        } finally {
          if (!open) await other?.close();
        }
      }),
    );
    print(`stopped ${status.name} on ${status.flowHost}${flags.purge ? ", its storage removed on every host" : " (its storage is kept; --purge removes it)"}`);
    if (failed.length) {
      process.stderr.write(`lit stop: the app's works, key${flags.purge ? " or storage" : ""} could not be removed on ${failed.join(", ")}: remove the line ending in lit-app:${status.name} from ~/.ssh/authorized_keys there${flags.purge ? ", and the app's folder in ~/.lit/storage/apps" : ""}, or run lit stop --name ${status.name} again.\n`);
      return 1;
    }
    return 0;
  } finally {
    await survey.close();
  }
}

