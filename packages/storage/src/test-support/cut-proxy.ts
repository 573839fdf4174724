/** A TCP proxy on loopback that can cut its connections mid-stream, as a dropped link would (no vitest here). */
import { createServer, connect } from "node:net";
import type { AddressInfo, Socket } from "node:net";

/** A running proxy. */
export interface CutProxy {
  /** The port to connect to instead of the target's. */
  readonly port: number;
  /**
   * Cuts the first connection that carries more than `bytes` after this call,
   * counted from the client (`up`, an upload) or from the server (`down`, a
   * download); resolves when it is cut.
   */
  cutAfter(bytes: number, direction?: "up" | "down"): Promise<void>;
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:<port> to 127.0.0.1:`targetPort`. */
export async function cutProxy(targetPort: number): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let armed: { bytes: number; direction: "up" | "down"; cut: () => void } | undefined;
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const counted = { up: 0, down: 0 };
    /** Forwards a chunk unless the armed cut falls on it. */
    const relay = (from: Socket, to: Socket, direction: "up" | "down") => (chunk: Buffer) => {
      counted[direction] += chunk.byteLength;
      if (armed && armed.direction === direction && counted[direction] > armed.bytes) {
        const { cut } = armed;
        armed = undefined;
        client.destroy();
        upstream.destroy();
        cut();
        return;
      }
      if (!to.write(chunk)) {
        from.pause();
        to.once("drain", () => from.resume());
      }
    };
    client.on("data", relay(client, upstream, "up"));
    upstream.on("data", relay(upstream, client, "down"));
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
    cutAfter: (bytes, direction = "up") => new Promise<void>((resolve) => (armed = { bytes, direction, cut: resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
