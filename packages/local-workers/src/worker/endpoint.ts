/** The comlink endpoint of the thread this code runs in, as a worker. */
import type { Endpoint } from "comlink";
import { nodeEndpoint } from "../comlink.ts";
import { runtimeKind } from "@lit-app/runtime";

/** The endpoint to the thread that started this worker. */
export async function parentEndpoint(): Promise<Endpoint> {
  if (runtimeKind() === "node") {
    const { parentPort } = await import("node:worker_threads");
    if (!parentPort) throw new Error("this module must run in a worker thread");
    return nodeEndpoint(parentPort);
  }
  return globalThis as unknown as Endpoint;
}
