/**
 * The channel of a work that runs in its own OS process: the work protocol
 * over the child's file descriptor 3, a pipe its parent opened for it, one
 * JSON message per line. Not stdout: the user's code writes there (the
 * parent shows the child's stdout and stderr as the work's log lines).
 */
import { createReadStream, writeSync } from "node:fs";
import process from "node:process";
import type { WorkChannel } from "../channel.ts";
import { streamChannel } from "../stream-channel.ts";
import { markOwnProcess } from "./own-process.ts";

export { CHANNEL_FD_ENV, channelFd, inOwnProcess, markOwnProcess } from "./own-process.ts";

/** The channel to the flow over `fd`. The process ends when its parent closes it (the flow has gone). */
export function processChannel(fd: number): WorkChannel {
  markOwnProcess();
  const input = createReadStream("", { fd, autoClose: false });
  input.on("error", () => undefined);
  const write = (text: string) => {
    const bytes = Buffer.from(text);
    for (let off = 0; off < bytes.length; ) {
      try {
        off += writeSync(fd, bytes, off);
      } catch (error) {
        if ((error as { code?: string }).code === "EAGAIN") continue;
        return; // The flow has gone: nothing to tell it any more.
      }
    }
  };
  return streamChannel(input, write, { onEnd: () => process.exit(0) });
}
