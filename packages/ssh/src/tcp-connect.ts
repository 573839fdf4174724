/**
 * The TCP connection under an SSH connection, opened here rather than by
 * ssh2 so that each way it can fail has its own error: the name does not
 * resolve, nothing listens, no route, or no answer within the time allowed.
 */
import { lookup } from "node:dns/promises";
import { isIP, Socket } from "node:net";
import { coalesceWrites } from "./coalesce-writes.ts";
import {
  type HostLabel,
  SshDnsError,
  SshRefusedError,
  SshTimeoutError,
  SshUnreachableError,
} from "./errors.ts";

function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves and connects to `label.hostName:label.port` within `timeoutMs`.
 * The socket has Nagle off (small writes go out at once), TCP keepalive on,
 * and the writes of one turn of the event loop leave together (coalesce-writes.ts).
 */
export async function tcpConnect(label: HostLabel, timeoutMs: number): Promise<Socket> {
  const started = Date.now();
  let address = label.hostName;
  if (isIP(address) === 0) {
    try {
      address = (
        await withDeadline(lookup(label.hostName), timeoutMs, () => new SshTimeoutError(label, timeoutMs, "resolving the host name"))
      ).address;
    } catch (e) {
      if (e instanceof SshTimeoutError) throw e;
      // Any other lookup failure (EAI_*) is also the name not resolving.
      throw new SshDnsError(label, { cause: e });
    }
  }
  const socket = new Socket();
  const left = Math.max(1, timeoutMs - (Date.now() - started));
  try {
    await withDeadline(
      new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("error", reject);
        socket.connect({ host: address, port: label.port });
      }),
      left,
      () => new SshTimeoutError(label, timeoutMs, `TCP connect to ${address}:${label.port}`),
    );
  } catch (e) {
    socket.destroy();
    if (e instanceof SshTimeoutError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ECONNREFUSED") throw new SshRefusedError(label, { cause: e });
    if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EHOSTDOWN") throw new SshUnreachableError(label, { cause: e });
    if (code === "ETIMEDOUT") throw new SshTimeoutError(label, timeoutMs, `TCP connect to ${address}:${label.port}`, { cause: e });
    throw new SshUnreachableError(label, { cause: e });
  }
  socket.removeAllListeners("error");
  // ssh2 adds its own listener; until then an error must not go unhandled.
  socket.on("error", () => {});
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 30_000);
  return coalesceWrites(socket);
}
