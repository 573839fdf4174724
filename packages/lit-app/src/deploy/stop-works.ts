/**
 * `lit stop` without the flow: when the flow's host cannot be reached (or the
 * flow is gone from it), the app's works on the hosts that can be are stopped
 * through their agents (`DELETE /v1/works?app=`, the app's key on its hosts),
 * and the app's SSH key is taken back there. What could not be done is said,
 * with what the user does next.
 */
import process from "node:process";
import { exitText, shellQuote } from "@lit-app/ssh";
import { UsageError } from "../cli/errors.ts";
import type { AgentSession } from "../remote/agent-session.ts";
import { deployedAppKeyOf, deployedFolderName } from "./app-name.ts";
import { removeAppKey } from "./app-key.ts";
import type { AppSurvey } from "./find-app.ts";

const print = (line: string) => void process.stdout.write(`${line}\n`);
const warn = (line: string) => void process.stderr.write(`${line}\n`);

/**
 * Stops the works of the deployed app `name` on the host of `link` (their
 * stop hooks get `graceMs`) and removes the app's key from its authorized_keys.
 * @returns the dotted names of the works stopped there
 */
export async function stopAppWorks(link: AgentSession, name: string, graceMs = 3000): Promise<string[]> {
  const key = encodeURIComponent(deployedAppKeyOf(name));
  const { stopped } = await link.request<{ stopped: string[] }>("DELETE", `/v1/works?app=${key}&graceMs=${graceMs}`);
  await removeAppKey(await link.sshHost(), name);
  return stopped;
}

/** Removes the works' storage folder of an app on a host: only a folder in the agent's storage root's `apps/`. */
export async function purgeStorage(link: AgentSession, dir: string): Promise<void> {
  if (!/^\/([^/\0]+\/)*\.lit\/storage\/apps\/[A-Za-z0-9._-]+$/.test(dir) || dir.includes("/../")) {
    throw new Error(`not removing ${dir}: it is not an app's folder in ~/.lit/storage/apps`);
  }
  const result = await (await link.sshHost()).exec(`rm -rf ${shellQuote(dir)}`);
  if (result.code !== 0) throw new Error(`rm -rf ${dir} failed: ${result.stderr.trim() || exitText(result)}`);
}

/** Removes the deployed app `name`'s storage folder on the host of `link`, found from its agent's lit home. */
async function purgeAppStorage(link: AgentSession, name: string): Promise<void> {
  const report = await link.request<{ disk: { path: string } }>("GET", "/v1/host");
  await purgeStorage(link, `${report.disk.path.replace(/\/+$/, "")}/storage/apps/${deployedFolderName(name)}`);
}

/**
 * `lit stop --name NAME` for an app whose flow was not found: on every host
 * reached, its works are stopped and its key removed. Resolves to the exit
 * code: 1 when a host was not reached (the flow may run there) or a host
 * could not be cleaned.
 * @throws UsageError when no host has anything of the app and every host answered
 */
export async function stopWithoutFlow(survey: AppSurvey, name: string, why: string | undefined, purge = false): Promise<number> {
  const stopped: { alias: string; works: string[]; purged: boolean }[] = [];
  const failed: string[] = [];
  // Storage goes only once no flow of the app can run on: its host answered, and it was not there.
  const purging = purge && why === undefined && survey.unreachable.length === 0;
  await Promise.all(
    survey.links.map(async (link) => {
      try {
        const entry = { alias: link.alias, works: await stopAppWorks(link, name), purged: false };
        stopped.push(entry);
        if (purging) {
          await purgeAppStorage(link, name);
          entry.purged = true;
        }
      } catch (error) {
        failed.push(`${link.alias} (${(error as Error).message})`);
      }
    }),
  );
  stopped.sort((a, b) => a.alias.localeCompare(b.alias));
  const unreached = survey.unreachable.map((u) => `${u.alias}: ${u.reason}`);
  const any = stopped.some((s) => s.works.length > 0);
  if (!any && unreached.length === 0 && failed.length === 0 && why === undefined) {
    throw new UsageError(`lit stop: no app named ${name} is deployed on the hosts lit knows, and none of them runs a work of it. lit apps lists the apps.`);
  }
  warn(
    why !== undefined
      ? `lit stop: the flow of ${name} could not be stopped on its host: ${why}.`
      : unreached.length > 0
        ? `lit stop: the flow of ${name} could not be reached: no host lit reached runs it (not reached: ${unreached.join("; ")}).`
        : `lit stop: the flow of ${name} is gone from its host; stopping its works directly.`,
  );
  for (const { alias, works, purged } of stopped) {
    const storage = purged ? "; its storage removed there" : "";
    print(works.length ? `stopped ${name}'s works on ${alias}: ${works.join(", ")}; its key removed there${storage}` : `no work of ${name} ran on ${alias}${storage}`);
  }
  if (failed.length) {
    warn(
      `lit stop: ${name}'s works, key${purging ? " or storage" : ""} could not be removed on ${failed.join(", ")}: run lit stop --name ${name}${purge ? " --purge" : ""} again, ` +
        `or remove the line ending in lit-app:${name} from ~/.ssh/authorized_keys there${purging ? `, and ~/.lit/storage/apps/${deployedFolderName(name)}` : ""}.`,
    );
  }
  if (why !== undefined || unreached.length > 0) {
    const hosts = unreached.length ? survey.unreachable.map((u) => u.alias).join(", ") : "its flow's host";
    warn(
      `lit stop: still to do: the flow of ${name} on ${hosts} was not stopped, and while it runs it may start its works again; ` +
        `run lit stop --name ${name} again once ${hosts} can be reached (its storage is kept; --purge then removes it).`,
    );
    return 1;
  }
  return failed.length ? 1 : 0;
}
