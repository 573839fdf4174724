/**
 * Whether this work runs in an OS process of its own, and on which file
 * descriptor its channel to the flow is: asked by every work's thread at
 * start, so this module imports nothing (process-channel.ts, which opens that
 * channel, is loaded only in such a process).
 */

/** The environment variable that tells a work's program it runs in a child process, and on which fd. */
export const CHANNEL_FD_ENV = "LIT_WORK_CHANNEL_FD";

/** The fd of the flow's channel, when this process is a work's child process (read once, then removed from the env). */
export function channelFd(): number | undefined {
  const fd = Number(process.env[CHANNEL_FD_ENV]);
  delete process.env[CHANNEL_FD_ENV];
  return Number.isInteger(fd) && fd > 2 ? fd : undefined;
}

let ownProcess = false;

/** Says that this process is a work's own process whose channel is not fd 3 (a host's agent started it). */
export function markOwnProcess(): void {
  ownProcess = true;
}

/** True in a work's own child process (once its channel is open), false in a worker thread. */
export function inOwnProcess(): boolean {
  return ownProcess;
}
