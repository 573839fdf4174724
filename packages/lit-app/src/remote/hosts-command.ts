/**
 * `lit hosts [host...]`: for each host (named, else those `lit run --host`
 * used from here), its agent (version, runtime, since when), its machine
 * (CPUs, memory, disk), its GPUs (free, or the work holding each), the works
 * waiting for one, and its running works, from the agent's `GET /v1/host`
 * through the host's SSH connection. Nothing is started on a host.
 */
import { connectHost, type SshHost } from "@lit-app/ssh";
import type { HostReport } from "@lit-app/gpu-agent";
import { UsageError } from "../cli/errors.ts";
import { agentRequest, AgentRequestError } from "./agent-request.ts";
import { readAgentFiles } from "./agent-session.ts";
import { usedHosts } from "./known-hosts-list.ts";

const REPORT_LIMIT = 8 << 20;

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** What one host said, as lines. */
async function describeHost(alias: string): Promise<{ lines: string[]; ok: boolean }> {
  let host: SshHost | undefined;
  try {
    host = await connectHost(alias);
    const info = await readAgentFiles(host);
    if (!info) return { ok: true, lines: [`${alias}: no lit agent (it starts with the first lit run --host ${alias})`] };
    const listener = await host.listenLocal(info.port);
    let report: HostReport;
    try {
      const agent = { url: `http://127.0.0.1:${listener.port}`, token: info.token };
      report = await agentRequest<HostReport>(agent, alias, "GET", "/v1/host", undefined, { signal: AbortSignal.timeout(10_000), maxBytes: REPORT_LIMIT });
    } catch (error) {
      const why = error instanceof AgentRequestError ? error.said : error instanceof Error ? error.message : String(error);
      return { ok: true, lines: [`${alias}: the lit agent ${info.version} (pid ${info.pid}) is not running or not answering (${why}); the next lit run --host ${alias} starts it`] };
    } finally {
      await listener.close();
    }
    return { ok: true, lines: formatReport(alias, report) };
  } catch (error) {
    return { ok: false, lines: [`${alias}: ${error instanceof Error ? error.message : String(error)}`] };
  } finally {
    await host?.close().catch(() => undefined);
  }
}

/** An app's name from its key on a host (`apps/<name>`). */
const appName = (key: string) => key.replace(/^apps\//, "");
/** ` (app <name>)` after a work's name, when it has an app. */
const ofApp = (key: string | undefined) => (key === undefined ? "" : ` (app ${appName(key)})`);

/** The lines `lit hosts` prints for one host's report. */
export function formatReport(alias: string, r: HostReport): string[] {
  const lines = [
    `${alias} (${r.hostName}, ${r.platform}/${r.arch}): agent ${r.agent.version} on ${r.runtime.name} ${r.runtime.version}, pid ${r.agent.pid}, since ${r.agent.startedAt}`,
    `  ${r.cpus.count} CPUs, memory ${gib(r.memory.freeBytes)} free of ${gib(r.memory.totalBytes)}, disk ${gib(r.disk.freeBytes)} free of ${gib(r.disk.totalBytes)}`,
  ];
  const free = r.gpus.filter((g) => g.work === null).length;
  lines.push(`  GPUs: ${r.gpus.length} (${free} free, ${r.gpus.length - free} used)${r.gpuError ? `; nvidia-smi: ${r.gpuError}` : ""}`);
  for (const g of r.gpus) lines.push(`    ${g.uuid}  ${g.name}  ${g.memoryMiB} MiB  ${g.work === null ? "free" : `used by ${g.work}${ofApp(g.app)}`}`);
  for (const w of r.gpuWaiting) lines.push(`    waiting: ${w.work}${ofApp(w.app)} (${w.count} GPU${w.count === 1 ? "" : "s"}): ${w.reason}`);
  lines.push(`  works: ${r.works.length}`);
  for (const w of r.works) lines.push(`    ${w.name}  ${w.stage}${w.pid !== null ? `  pid ${w.pid}` : ""}${w.gpus.length ? `  GPUs ${w.gpus.join(", ")}` : ""}${w.app ? `  app ${appName(w.app)}` : ""}`);
  return lines;
}

/** Runs `lit hosts`; resolves to the exit code (1 when a host could not be reached). */
export async function hostsCommand(names: readonly string[], print: (line: string) => void = (l) => void process.stdout.write(`${l}\n`)): Promise<number> {
  const aliases = names.length ? [...new Set(names)] : usedHosts();
  if (aliases.length === 0) throw new UsageError("lit hosts: no host used from here yet; name one: lit hosts gpu-box (a host of ~/.ssh/config).");
  const results = await Promise.all(aliases.map(describeHost));
  for (const r of results) for (const line of r.lines) print(line);
  return results.every((r) => r.ok) ? 0 : 1;
}
