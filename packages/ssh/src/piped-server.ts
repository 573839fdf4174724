/**
 * A TCP server here whose every connection is carried by a stream another
 * party opens (an SSH forward): what a local port forward is, whatever
 * decides where its connections go.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";

/** The server (not listening yet) and its open connections, to end with it. */
export interface PipedServer {
  server: Server;
  sockets: Set<Socket>;
}

/**
 * A server whose each connection is piped both ways to the stream `open()`
 * gives for it (no Nagle; either side's end or error ends both). A connection
 * whose stream cannot be opened is closed.
 * @example
 * const { server, sockets } = pipedServer(() => ssh.forward(8080));
 * server.listen(0, "127.0.0.1");
 */
export function pipedServer(open: () => Promise<Duplex>): PipedServer {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.pause();
    open().then(
      (channel) => {
        channel.on("error", () => socket.destroy());
        channel.on("close", () => socket.destroy());
        socket.on("close", () => channel.destroy());
        socket.pipe(channel).pipe(socket);
        socket.resume();
      },
      () => socket.destroy(),
    );
  });
  return { server, sockets };
}
