/**
 * The controller's check of each frame from the agent: the channel's
 * envelope (agentMessage), with a work's message left for its WorkLink,
 * which parses it with the work protocol's schema (once, not twice).
 */
import { z } from "zod";
import { MAX_BATCH, parseFrame, type Parsed } from "../channel/messages.ts";

const work = z.string().min(1).max(500);
const incarnation = z.string().min(1).max(200);

const message = z.record(z.string(), z.unknown());

const envelope = z.discriminatedUnion("type", [
  z.object({ type: z.literal("event"), work, message }),
  z.object({ type: z.literal("events"), events: z.array(z.object({ work, message })).min(1).max(MAX_BATCH) }),
  z.object({ type: z.literal("opened"), work, incarnation, gpus: z.array(z.string().max(200)).max(1024).optional() }),
  z.object({ type: z.literal("closed"), work, incarnation }),
  z.object({ type: z.literal("unknown"), work, incarnation }),
  z.object({ type: z.literal("waiting"), work, incarnation, reason: z.string().max(1000) }),
  z.object({ type: z.literal("pong"), id: z.number().int() }),
  z.object({ type: z.literal("error"), message: z.string().max(10_000) }),
]);

/** A frame from the agent. */
export type AgentFrame = z.infer<typeof envelope>;

/** Parses one frame's text from the agent. */
export function parseAgentFrame(text: string, maxBytes: number): Parsed<AgentFrame> {
  return parseFrame(envelope, text, maxBytes);
}
