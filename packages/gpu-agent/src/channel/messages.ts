/**
 * The work channel between a controller (the machine the flow runs on) and
 * the agent: one WebSocket per controller, `GET /v1/channel`, carrying the
 * work protocol of every work of the app on this host. Each message is one
 * JSON text frame and names its work. Both ends parse what they receive with
 * these schemas, after checking its size ({@link MAX_MESSAGE_BYTES}).
 *
 * Controller → agent: `hello` (on every (re)connect: the last seq it applied
 * per work, which the agent replays after), `open`, `send` (run, resync),
 * `stop`, `forget`, `ping`. Agent → controller: `event` (a work → flow
 * message with its incarnation and seq), `events` (several, in order: those
 * of one turn of the agent's loop, one frame and one SSH packet), `opened`, `closed`, `unknown` (the
 * agent has no such work: it was lost with the host's files), `waiting` (for a
 * GPU, before its process starts), `pong`, `error`.
 */
import { flowToWork, workToFlow } from "@lit-app/local-workers/protocol";
import { z } from "zod";

/** The largest message either end takes, bytes (a work's state or a call's arguments of tens of MB fit). */
export const MAX_MESSAGE_BYTES = 64 * 2 ** 20;
/** The most works one `hello` names. */
export const MAX_WORKS = 10_000;
/** The most events one `events` frame carries. */
export const MAX_BATCH = 1_000;

const work = z.string().min(1).max(500);
const incarnation = z.string().min(1).max(200);
// The protocol's own schemas of the flow's messages, in its order: init, run, stop, resync.
const [initMessage, runMessage, , resyncMessage] = flowToWork.def.options;
const runOrResync = z.discriminatedUnion("type", [runMessage, resyncMessage]);

/** Controller → agent. */
export const controllerMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    /** The works the controller has on this host, and the last seq of each it applied. */
    works: z.array(z.object({ work, incarnation, after: z.number().int().nonnegative() })).max(MAX_WORKS),
  }),
  z.object({
    type: z.literal("open"),
    work,
    init: initMessage,
    compute: z.object({ name: z.string().max(200), gpus: z.number().int().nonnegative().max(1024), memoryMiB: z.number().positive().optional() }).optional(),
    /** A file in the agent's program folder (the app's bundle with the work program) instead of the default program. */
    program: z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/).optional(),
  }),
  z.object({ type: z.literal("send"), work, incarnation, message: runOrResync }),
  z.object({ type: z.literal("stop"), work, incarnation, graceMs: z.number().int().nonnegative().max(600_000) }),
  z.object({ type: z.literal("forget"), work, incarnation }),
  z.object({ type: z.literal("ping"), id: z.number().int() }),
]);

/**
 * Agent → controller frames, with a work's message checked by `message`: the
 * agent's full schema ({@link agentMessage}), or the controller's envelope,
 * which leaves a work's message to its WorkLink (parsed once, not twice).
 */
export function agentFrames<M extends z.core.$ZodType>(message: M) {
  return z.discriminatedUnion("type", [
    z.object({ type: z.literal("event"), work, message }),
    /** Several events that came in one turn of the agent's loop (a call's started, delta and succeeded), in order. */
    z.object({ type: z.literal("events"), events: z.array(z.object({ work, message })).min(1).max(MAX_BATCH) }),
    z.object({ type: z.literal("opened"), work, incarnation, gpus: z.array(z.string().max(200)).max(1024).optional() }),
    z.object({ type: z.literal("closed"), work, incarnation }),
    z.object({ type: z.literal("unknown"), work, incarnation }),
    /** The work waits before its process can start (for a GPU). */
    z.object({ type: z.literal("waiting"), work, incarnation, reason: z.string().max(1000) }),
    z.object({ type: z.literal("pong"), id: z.number().int() }),
    z.object({ type: z.literal("error"), message: z.string().max(10_000) }),
  ]);
}

/** Agent → controller. */
export const agentMessage = agentFrames(workToFlow);

export type ControllerMessage = z.infer<typeof controllerMessage>;
export type AgentMessage = z.infer<typeof agentMessage>;

/** A parsed message, or what is wrong with it. */
export type Parsed<T> = { ok: true; message: T } | { ok: false; problem: string };

/** Parses one frame's text with `schema`, after checking its size. */
export function parseFrame<T>(schema: z.ZodType<T>, text: string, maxBytes = MAX_MESSAGE_BYTES): Parsed<T> {
  // A UTF-16 length over the limit is over it in UTF-8 too; the exact size is measured only near it.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes)) {
    return { ok: false, problem: `a message of ${Buffer.byteLength(text)} bytes, over the limit of ${maxBytes}` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, problem: "a message that is not JSON" };
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(message)"}: ${i.message}`)
    .join("; ");
  return { ok: false, problem: issues };
}
