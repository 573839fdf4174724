/**
 * The controller's check of each frame from the agent: the channel's
 * envelope (agentFrames), with a work's message left for its WorkLink,
 * which parses it with the work protocol's schema (once, not twice).
 */
import { z } from "zod";
import { agentFrames, parseFrame, type Parsed } from "../channel/messages.ts";

const envelope = agentFrames(z.record(z.string(), z.unknown()));

/** A frame from the agent. */
export type AgentFrame = z.infer<typeof envelope>;

/** Parses one frame's text from the agent. */
export function parseAgentFrame(text: string, maxBytes: number): Parsed<AgentFrame> {
  return parseFrame(envelope, text, maxBytes);
}
