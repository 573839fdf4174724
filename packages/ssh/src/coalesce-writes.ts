/**
 * Gathers the writes an SSH connection makes in one turn of the event loop
 * into one system call. ssh2 writes each SSH packet to its socket apart (at
 * most 32 KiB each, the size sshd takes), so a large transfer made one
 * `write` per packet: each a system call and, on a host link, one trip of
 * the kernel's network path per packet. Corked until the turn ends, the
 * packets of one turn leave in one `writev`. Nothing waits longer: the turn
 * that wrote them ends first either way.
 */
import type { Socket } from "node:net";
import process from "node:process";

/** Makes `socket`'s writes of one turn of the event loop leave together; returns the socket. */
export function coalesceWrites(socket: Socket): Socket {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  (socket as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  };
  return socket;
}
