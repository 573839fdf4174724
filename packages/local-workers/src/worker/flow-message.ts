/**
 * The check a work's thread makes of each message from the flow, instead of
 * the zod schema (protocol.ts's `flowToWork`). A worker thread shares the
 * flow's process: its messages come from the executor's own code, never
 * from a network, so they are checked for shape (type, required fields)
 * without loading zod, which costs every thread its load time (tens of ms;
 * across 1,000 dynamic works, seconds). A host that receives the flow's
 * messages over a process boundary or a network parses them with
 * `flowToWork` instead: the same union, fully validated.
 */
import type { FlowToWork } from "../protocol.ts";

/** A message from the flow, checked: the message, or why it is not one. */
export type FlowMessageRead = { ok: true; message: FlowToWork } | { ok: false; problem: string };

/** The message if it is one the flow sends, else why not. */
export function readFlowMessage(data: unknown): FlowMessageRead {
  if (typeof data !== "object" || data === null) return { ok: false, problem: `expected an object, got ${data === null ? "null" : typeof data}` };
  const m = data as Record<string, unknown>;
  const string = (key: string) => typeof m[key] === "string" && (m[key] as string).length > 0;
  switch (m.type) {
    case "init":
      if (!string("incarnation") || !string("appModule") || !string("name") || typeof m.className !== "string") break;
      if (typeof m.state !== "object" || m.state === null) break;
      return { ok: true, message: m as FlowToWork };
    case "run":
      if (!string("callId") || !Array.isArray(m.args) || !Array.isArray(m.delta)) break;
      return { ok: true, message: m as FlowToWork };
    case "stop":
    case "resync":
      return { ok: true, message: m as FlowToWork };
    default:
      return { ok: false, problem: `unknown message type ${JSON.stringify(m.type)}` };
  }
  return { ok: false, problem: `a ${String(m.type)} message without its required fields` };
}
