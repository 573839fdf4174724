/**
 * The running agent's control socket (`<home>/agent/control.sock`): holding it
 * is being the agent of that home. Another start asks through it who runs
 * (`info`) and, for a new version, asks it to `stop`. A socket, unlike a pid
 * file, cannot outlive its process: a dead agent's socket refuses connections.
 * The folder is 0700, so only the home's user reaches it.
 */
import { createConnection, createServer, type Server } from "node:net";
import { unlink } from "node:fs/promises";
import { AgentLockError } from "./errors.ts";
import type { AgentInfo } from "./agent-info.ts";

const MAX_LINE = 4096;
/** Unix socket paths are limited to about 104-108 bytes, depending on the OS. */
const MAX_PATH = 100;

/** What the running agent answers. */
export type ControlRequest = { op: "info" } | { op: "stop" };

/** The control socket's server side. */
export interface ControlServer {
  close(): Promise<void>;
}

/** Listens on `path` (a stale socket file of a dead agent is replaced). */
export async function listenControl(path: string, handlers: { info(): AgentInfo | null; stop(): void }): Promise<ControlServer> {
  if (Buffer.byteLength(path) > MAX_PATH) {
    throw new AgentLockError(`[agent] the control socket path ${path} is longer than ${MAX_PATH} bytes, which Unix sockets do not allow. Use a shorter --home.`);
  }
  await unlink(path).catch(() => undefined);
  const server: Server = createServer((socket) => {
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("error", () => undefined);
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE) return void socket.destroy();
      const end = buffer.indexOf("\n");
      if (end < 0) return;
      let request: unknown;
      try {
        request = JSON.parse(buffer.slice(0, end));
      } catch {
        return void socket.end(JSON.stringify({ error: "bad request" }) + "\n");
      }
      const op = (request as { op?: unknown } | null)?.op;
      if (op === "info") socket.end(JSON.stringify({ info: handlers.info() }) + "\n");
      else if (op === "stop") socket.end(JSON.stringify({ stopping: true }) + "\n", () => handlers.stop());
      else socket.end(JSON.stringify({ error: "unknown op" }) + "\n");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * Asks the agent listening on `path`.
 * @returns its answer, or null when no agent listens there (no socket, or a dead one's).
 */
export function askControl(path: string, request: ControlRequest, timeoutMs = 5000): Promise<Record<string, unknown> | null> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let buffer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new AgentLockError(`[agent] the agent holding ${path} did not answer in ${timeoutMs} ms. Stop it (its pid is in agent.json), then start again.`));
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(JSON.stringify(request) + "\n"));
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE) socket.destroy();
    });
    socket.on("end", () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buffer.split("\n")[0]!) as Record<string, unknown>);
      } catch {
        resolve({});
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === "ENOENT" || error.code === "ECONNREFUSED" || error.code === "ENOTSOCK") resolve(null);
      else reject(error);
    });
  });
}
