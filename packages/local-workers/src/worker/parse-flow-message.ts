/**
 * The full check of a message from the flow, with the protocol's zod schema:
 * what a work's host uses when the flow's messages cross a process boundary
 * or a network (a child process, the agent), where nothing that arrives is
 * trusted. A worker thread uses flow-message.ts instead (no zod to load).
 */
import { flowToWork } from "../protocol.ts";
import type { FlowMessageRead } from "./flow-message.ts";

/** Parses `data` with `flowToWork`; says what is wrong with it when it does not parse. */
export function parseFlowMessage(data: unknown): FlowMessageRead {
  const parsed = flowToWork.safeParse(data);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(message)"}: ${i.message}`).join("; ");
  return { ok: false, problem: issues };
}
