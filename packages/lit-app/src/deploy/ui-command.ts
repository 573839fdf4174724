/**
 * `lit ui [--name NAME] [--port P]`: a tunnel from this machine's 127.0.0.1
 * to a deployed app's server, through one SSH connection to its flow host.
 * Prints the URL on stdout and keeps the tunnel until Ctrl-C or SIGTERM.
 */
import process from "node:process";
import { resolveHost } from "@lit-app/ssh";
import { UsageError } from "../cli/errors.ts";
import { openAppTunnel } from "./app-tunnel.ts";
import { pickApp, surveyApps, type FoundApp } from "./find-app.ts";

const note = (line: string) => void process.stderr.write(`${line}\n`);

/** `--port`'s value: a port number, 0 or absent for a free one. */
function localPort(port: string | undefined): number | undefined {
  if (port === undefined) return undefined;
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) throw new UsageError(`lit ui: --port takes a port number (1-65535; leave it out for a free one), got "${port}".`);
  return n;
}

/**
 * The deployed app `name` (or the only one), with only its flow host's SSH connection kept open.
 * @param none the error when no name is given and no app is running (default: pickApp's).
 */
export async function findDeployedApp(command: string, name: string | undefined, none?: () => Error): Promise<FoundApp> {
  const survey = await surveyApps();
  let found: FoundApp;
  try {
    if (name === undefined && none && !survey.apps.some((a) => a.status.stage !== "stopped")) throw none();
    found = pickApp(survey, command, name);
  } catch (error) {
    await survey.close();
    throw error;
  }
  await Promise.all(survey.links.filter((l) => l !== found.link).map((l) => l.close()));
  return found;
}

/** `lit ui`; resolves to the exit code once the tunnel is closed (0 on Ctrl-C or SIGTERM, 1 when the SSH connection dropped). */
export async function uiCommand(flags: { name?: string; port?: string }): Promise<number> {
  const port = localPort(flags.port);
  const found = await findDeployedApp("ui", flags.name);
  const { status, link } = found;
  try {
    const ssh = await link.sshHost();
    const tunnel = await openAppTunnel(found, { ...(port !== undefined ? { port } : {}), command: "ui" });
    try {
      process.stdout.write(`${tunnel.url}${tunnel.token ? `/?token=${tunnel.token}` : ""}\n`);
      note(`lit ui: ${status.name}'s app server on ${status.flowHost}, through SSH; Ctrl-C closes the tunnel.`);
      if (tunnel.token) note(`lit ui: ${status.name} is public: http://${resolveHost(status.flowHost).hostName}:${status.serverPort}/?token=${tunnel.token}`);
      return await new Promise<number>((resolve) => {
        const end = (code: number) => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          ssh.off("close", dropped);
          resolve(code);
        };
        const stop = () => end(0);
        const dropped = (info: { error: Error | undefined }) => {
          note(`lit ui: the SSH connection to ${status.flowHost} ended${info.error ? `: ${info.error.message}` : ""}. Run lit ui again.`);
          end(1);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
        ssh.on("close", dropped);
      });
    } finally {
      await tunnel.close();
    }
  } finally {
    await link.close();
  }
}
