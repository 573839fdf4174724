/**
 * A work on a host that serves HTTP binds its port on the host's loopback;
 * the user's machine gets the same port on its own 127.0.0.1, each
 * connection carried through the host's SSH connection, so the work's `url`
 * (`http://127.0.0.1:<port>`) works here as it would locally.
 */
import { pipedServer, type SshHost } from "@lit-app/ssh";

/** A local port forwarded to the same port on a host. */
export interface ServedPort {
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:`port` here; each connection reaches 127.0.0.1:`port` on
 * the host through the connection `host()` gives (opened again after a drop).
 * @throws the listen error (EADDRINUSE when the port is taken here)
 */
export async function forwardServedPort(port: number, host: () => Promise<SshHost>): Promise<ServedPort> {
  const { server, sockets } = pipedServer(() => host().then((h) => h.forward(port)));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  server.unref();
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
