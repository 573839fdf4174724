/**
 * The controller's check of each frame from the agent: the channel's
 * envelope (agentFrames), with a work's message left for its WorkLink,
 * which parses it with the work protocol's schema (once, not twice).
 */
import { z } from "zod";
import { agentFrames, parseFrame, type Parsed } from "../channel/messages.ts";

/**
 * A work's message in the envelope: an object (as z.record would check, but
 * without copying it key by key: it is a JSON object, its WorkLink checks
 * every field with the work protocol's schema next).
 */
const workMessage = z.custom<Record<string, unknown>>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  "a work's message must be a JSON object",
);
const envelope = agentFrames(workMessage);

/** A frame from the agent. */
export type AgentFrame = z.infer<typeof envelope>;

/** Parses one frame's text from the agent. */
export function parseAgentFrame(text: string, maxBytes: number): Parsed<AgentFrame> {
  return parseFrame(envelope, text, maxBytes);
}
