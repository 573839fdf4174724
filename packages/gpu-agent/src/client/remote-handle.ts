/**
 * What a flow keeps of a work on a host to find it again after the flow's
 * process died (the core's `handle` work event, kept in the app's journal):
 * the host, the work's incarnation under that host's agent, and the seq of
 * the last line of the work the flow showed.
 */
import { z } from "zod";

/** A work's handle, as a {@link RemoteExecutor} emits it. */
export interface RemoteHandle {
  /** The host's name, as the user gave it. */
  host: string;
  /** The work's incarnation: the agent knows the work's process by it. */
  incarnation: string;
  /** The seq of the last line of the work the flow showed (0: none). */
  seq: number;
}

const remoteHandle = z.object({
  host: z.string().min(1).max(500),
  incarnation: z.string().min(1).max(200),
  seq: z.number().int().nonnegative(),
});

/** The handle kept in a journal (a file: checked), or undefined when it is not one of a RemoteExecutor. */
export function parseRemoteHandle(handle: unknown): RemoteHandle | undefined {
  const parsed = remoteHandle.safeParse(handle);
  return parsed.success ? parsed.data : undefined;
}
