/** A TCP proxy on loopback that can cut its connections mid-stream, as a dropped link would (no vitest here). */
import { createServer, connect } from "node:net";
import type { AddressInfo, Socket } from "node:net";

/** A running proxy. */
export interface CutProxy {
  /** The port to connect to instead of the target's. */
  readonly port: number;
  /** Cuts the first connection whose client has sent more than `bytes` after this call; resolves when it is cut. */
  cutAfter(bytes: number): Promise<void>;
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:<port> to 127.0.0.1:`targetPort`. */
export async function cutProxy(targetPort: number): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let armed: { bytes: number; cut: () => void } | undefined;
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    let sent = 0;
    client.on("data", (chunk: Buffer) => {
      sent += chunk.byteLength;
      if (armed && sent > armed.bytes) {
        const { cut } = armed;
        armed = undefined;
        client.destroy();
        upstream.destroy();
        cut();
        return;
      }
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once("drain", () => client.resume());
      }
    });
    upstream.pipe(client);
    client.on("end", () => upstream.end());
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cutAfter: (bytes) => new Promise<void>((resolve) => (armed = { bytes, cut: resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
