/**
 * `lit logs [component] [--name] [-f]`: a deployed app's log lines, read from
 * its flow's log on the flow's host (`~/.lit/deployed/<name>/flow.log`, where
 * the flow prints its own lines and its works' lines, prefixed with their
 * names, across restarts). The file is read from a byte offset, so a link
 * that drops and comes back, or a flow started again, gives every line once.
 */
import process from "node:process";
import type { DeployedAppStatus } from "@lit-app/gpu-agent";
import { shellQuote } from "@lit-app/ssh";
import { UsageError } from "../cli/errors.ts";
import { AgentSession } from "../remote/agent-session.ts";
import { pickApp, surveyApps } from "./find-app.ts";

/** At most this many bytes are read from the log in one go. */
const CHUNK = 1 << 20;
const POLL_MS = 500;
const ENDED: readonly string[] = ["finished", "failed", "stopped"];
const COMPONENT = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** Options of {@link logsCommand}. */
export interface LogsFlags {
  name?: string;
  /** Keep reading as lines come, until the app ends (or Ctrl-C). */
  follow?: boolean;
}

/** Whether `line` is one of `component`'s (or of a component below it). */
function ofComponent(line: string, component: string | undefined): boolean {
  if (component === undefined) return true;
  return line.startsWith(`${component} | `) || line.startsWith(`${component}.`);
}

/** `lit logs`: prints the app's lines (of `component` only, when given); with `follow`, until the app ends. */
export async function logsCommand(component: string | undefined, flags: LogsFlags): Promise<number> {
  if (component !== undefined && !COMPONENT.test(component)) {
    throw new UsageError(`lit logs: ${JSON.stringify(component)} is not a component's dotted name (e.g. root.work_a).`);
  }
  const survey = await surveyApps();
  let link: AgentSession | undefined;
  let status: DeployedAppStatus;
  try {
    const found = pickApp(survey, "logs", flags.name);
    status = found.status;
    link = found.link;
    let offset = 0;
    let partial = "";
    for (;;) {
      let read: { text: string; bytes: number; full: boolean };
      try {
        read = await readFrom(link, status.log, offset);
      } catch (error) {
        if (!flags.follow) throw error;
        // The link dropped: open a new one and go on from the same byte.
        process.stderr.write(`lit logs: ${status.flowHost} not reached (${(error as Error).message}); trying again\n`);
        if (!survey.links.includes(link)) await link.close().catch(() => undefined);
        link = await reopen(status.flowHost);
        continue;
      }
      offset += read.bytes;
      const lines = (partial + read.text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (ofComponent(line, component)) process.stdout.write(`${line}\n`);
      if (read.full) continue;
      if (!flags.follow) break;
      if (ENDED.includes(status.stage) && read.bytes === 0) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      status = await link.request<DeployedAppStatus>("GET", `/v1/apps/${status.name}`).catch(() => status);
    }
    if (partial && ofComponent(partial, component)) process.stdout.write(`${partial}\n`);
    return 0;
  } finally {
    if (link && !survey.links.includes(link)) await link.close().catch(() => undefined);
    await survey.close();
  }
}

/**
 * The whole lines of `file` on the link's host from byte `offset` (up to
 * {@link CHUNK} bytes; a longer line comes in pieces), and how many bytes they
 * take. A last line still being written is left for the next read.
 */
async function readFrom(link: AgentSession, file: string, offset: number): Promise<{ text: string; bytes: number; full: boolean }> {
  const channel = await (await link.sshHost()).openExec(`tail -c +${offset + 1} ${shellQuote(file)} 2>/dev/null | head -c ${CHUNK}`);
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    channel.on("data", (c: Buffer) => chunks.push(c));
    channel.stderr.resume();
    channel.on("close", () => resolve());
    channel.on("error", reject);
    channel.end();
  });
  const bytes = Buffer.concat(chunks);
  const full = bytes.length >= CHUNK;
  const end = full ? bytes.length : bytes.lastIndexOf(0x0a) + 1;
  return { text: bytes.subarray(0, end).toString("utf8"), bytes: end, full };
}

/** A new link to `alias`, tried until it opens (a link that is down comes back). */
async function reopen(alias: string): Promise<AgentSession> {
  for (let wait = 500; ; wait = Math.min(wait * 2, 10_000)) {
    try {
      return await AgentSession.open(alias, { timeoutMs: 10_000 });
    } catch {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
