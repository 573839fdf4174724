/**
 * Finding deployed apps from this machine: each host lit knows (from earlier
 * `lit run --host` and `lit deploy`, in `~/.lit/hosts.json`, plus any named)
 * is asked for the apps whose flow it runs.
 */
import type { DeployedAppStatus } from "@lit-app/gpu-agent";
import { UsageError } from "../cli/errors.ts";
import { usedHosts } from "../remote/known-hosts-list.ts";
import { AgentSession } from "../remote/agent-session.ts";

/** A deployed app and the link to its flow's host. */
export interface FoundApp {
  status: DeployedAppStatus;
  link: AgentSession;
}

/** What asking the hosts found: the apps, and the hosts that did not answer (with why). */
export interface AppSurvey {
  apps: FoundApp[];
  unreachable: { alias: string; reason: string }[];
  links: AgentSession[];
  close(): Promise<void>;
}

/** Asks every known host for its deployed apps, in parallel. */
export async function surveyApps(extraHosts: readonly string[] = []): Promise<AppSurvey> {
  const aliases = [...new Set([...usedHosts(), ...extraHosts])];
  const links: AgentSession[] = [];
  const apps: FoundApp[] = [];
  const unreachable: AppSurvey["unreachable"] = [];
  await Promise.all(
    aliases.map(async (alias) => {
      try {
        const link = await AgentSession.open(alias, { timeoutMs: 10_000 });
        links.push(link);
        const { apps: listed } = await link.request<{ apps: DeployedAppStatus[] }>("GET", "/v1/apps");
        for (const status of listed) apps.push({ status, link });
      } catch (error) {
        unreachable.push({ alias, reason: error instanceof Error ? error.message : String(error) });
      }
    }),
  );
  apps.sort((a, b) => a.status.name.localeCompare(b.status.name) || a.link.alias.localeCompare(b.link.alias));
  return { apps, unreachable, links, close: async () => void (await Promise.all(links.map((l) => l.close()))) };
}

/**
 * The app named `name`, or the only one when no name is given (stopped apps
 * count only when named).
 * @throws UsageError when there is none, or several and no name.
 */
export function pickApp(survey: AppSurvey, command: string, name: string | undefined): FoundApp {
  const unreachable = survey.unreachable.length ? ` (not reached: ${survey.unreachable.map((u) => `${u.alias}: ${u.reason}`).join("; ")})` : "";
  if (name !== undefined) {
    const found = survey.apps.find((a) => a.status.name === name);
    if (!found) throw new UsageError(`lit ${command}: no app named ${name} is deployed on the hosts lit knows${unreachable}. lit apps lists them.`);
    return found;
  }
  const live = survey.apps.filter((a) => a.status.stage !== "stopped");
  if (live.length === 1) return live[0]!;
  if (live.length === 0) throw new UsageError(`lit ${command}: no deployed app is running on the hosts lit knows${unreachable}. Deploy one with lit deploy app.ts --host <ssh host>.`);
  throw new UsageError(`lit ${command}: several apps are deployed (${live.map((a) => a.status.name).join(", ")}); name one with --name.`);
}
