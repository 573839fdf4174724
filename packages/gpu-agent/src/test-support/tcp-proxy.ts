/** A TCP proxy on 127.0.0.1 whose connections a test can cut, and which can refuse new ones for a while. */
import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/** A running proxy. */
export interface TcpProxy {
  port: number;
  /** Destroys every open connection, both sides, at once (no closing handshake). */
  cut(): void;
  /** While true, new connections are closed as soon as they are accepted. */
  refusing: boolean;
  /** Stops moving bytes on every open connection, both ways, without closing any (a link that went quiet). */
  stall(): void;
  /** Moves the bytes held by {@link stall} and goes on. */
  resume(): void;
  close(): Promise<void>;
}

/** A proxy to `127.0.0.1:target()` (asked on each connection: the target may move). */
export async function startTcpProxy(target: () => number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const proxy = { refusing: false } as TcpProxy;
  const server = createServer((client) => {
    if (proxy.refusing) return void client.destroy();
    const upstream = connect(target(), "127.0.0.1");
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      open.add(s);
      s.on("error", () => undefined);
      s.on("close", () => {
        open.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.cut = () => {
    for (const s of open) s.destroy();
  };
  proxy.stall = () => {
    for (const s of open) s.pause();
  };
  proxy.resume = () => {
    for (const s of open) s.resume();
  };
  proxy.close = () => {
    proxy.cut();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
