/**
 * A tunnel to a deployed app's server: a listener on this machine's
 * 127.0.0.1 whose connections are carried through the one SSH connection to
 * the app's flow host, to the app server on that host's loopback. What
 * `lit ui` keeps open, and what app commands of a deployed app go through.
 */
import type { Duplex } from "node:stream";
import type { DeployedAppStatus } from "@lit-app/gpu-agent";
import { pipedServer } from "@lit-app/ssh";
import type { FoundApp } from "./find-app.ts";
import { readPublicToken } from "./public-server.ts";

/** A deployed app that cannot be reached: not running, no server yet, or a local port that cannot be used. */
export class AppTunnelError extends Error {
  readonly code = "E_APP_TUNNEL";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppTunnelError";
  }
}

/** An open tunnel. */
export interface AppTunnel {
  /** The port on this machine's 127.0.0.1. */
  port: number;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The token requests must carry: set when the app was deployed with `--public`. */
  token: string | undefined;
  /** Stops listening and ends the connections it carries (the SSH connection stays: its link's owner closes it). */
  close(): Promise<void>;
}

/** The app server's port of a running app; otherwise an error saying what stage it is in and what to do. */
export function serverPortOf(status: DeployedAppStatus, command: string): number {
  const { name, stage, flowHost } = status;
  if (stage === "running" && status.serverPort !== null) return status.serverPort;
  if (stage === "starting" || stage === "restarting" || stage === "running") {
    throw new AppTunnelError(`lit ${command}: ${name} on ${flowHost} is ${stage === "running" ? "starting" : stage}: its app server does not listen yet. Run lit ${command} again in a moment (lit logs --name ${name} shows what it does).`);
  }
  const result = status.result;
  const ended = result?.message ? ` (${result.stage === stage ? "" : `${result.stage}: `}${result.message})` : "";
  throw new AppTunnelError(`lit ${command}: ${name} on ${flowHost} is not running: it is ${stage}${ended}, so it has no app server. lit logs --name ${name} shows its log; lit deploy starts it again.`);
}

/**
 * Listens on 127.0.0.1 here (`port`, or a free one) and carries each connection through the app's link
 * to its server on the flow host. A flow started again by its agent listens on a new port: a connection
 * that finds the old one closed asks the agent for the new one, once.
 * @param command the command opening it, for messages (`ui`, `add-item`).
 * @throws AppTunnelError when the app is not running, or the local port is taken.
 */
export async function openAppTunnel(found: FoundApp, options: { port?: number; command: string }): Promise<AppTunnel> {
  const { status, link } = found;
  let remotePort = serverPortOf(status, options.command);
  // The connection the link has now: a tunnel ends with it (the caller watches its close).
  const ssh = await link.sshHost();
  const token = await readPublicToken(ssh, status.log);
  const forward = async (): Promise<Duplex> => {
    try {
      return await ssh.forward(remotePort);
    } catch (error) {
      const now = await link.request<DeployedAppStatus>("GET", `/v1/apps/${status.name}`).catch(() => undefined);
      if (!now || now.serverPort === null || now.serverPort === remotePort) throw error;
      remotePort = now.serverPort;
      return ssh.forward(remotePort);
    }
  };
  const { server, sockets } = pipedServer(forward);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const taken = error.code === "EADDRINUSE";
      reject(
        new AppTunnelError(
          `lit ${options.command}: cannot listen on 127.0.0.1:${options.port ?? 0} here: ${taken ? "the port is taken" : error.message}. Choose another port with --port, or leave --port out for a free one.`,
          { cause: error },
        ),
      );
    });
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
