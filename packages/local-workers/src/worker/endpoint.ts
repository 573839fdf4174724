/** The channel of the thread this code runs in, as a worker, to the thread that started it. */
import { runtimeKind } from "@lit-app/runtime";
import { nodePort, portChannel, type PostEndpoint, type WorkChannel } from "../channel.ts";

/** The channel to the thread that started this worker. */
export async function parentChannel(): Promise<WorkChannel> {
  if (runtimeKind() === "node") {
    const { parentPort } = await import("node:worker_threads");
    if (!parentPort) throw new Error("this module must run in a worker thread");
    return portChannel(nodePort(parentPort));
  }
  return portChannel(globalThis as unknown as PostEndpoint);
}
