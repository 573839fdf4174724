/**
 * Every message between a flow and a work, as one discriminated union per
 * direction, carried over a {@link WorkChannel} (a worker thread's port, a
 * child process's IPC, later a WebSocket). The flow parses every message a
 * work sends with {@link workToFlow}; a process or network host parses what
 * the flow sends with {@link flowToWork}, and a worker thread, which shares
 * the flow's process, with the small check of `worker/flow-message.ts` (zod
 * is not loaded in works' threads: see that file). The schemas are built with
 * `zod/mini` (the same zod, functional API: lighter to load on the way to an
 * app's first pass), with zod's English messages.
 *
 * Each incarnation of a work (a thread or process started for it) has an id
 * the flow gives in `init`; every message of the work carries it and a
 * sequence number (1, 2, 3...), so that the flow drops duplicates and old
 * incarnations' messages, and sees a gap (then sends `resync` and gets a
 * `snapshot`). A call's deltas are sent before its result.
 */
import type { SerializedError } from "@lit-app/core/internal";
import { z } from "zod/mini";
import { useZodMessages } from "./zod-messages.ts";

useZodMessages();

/** A string of `min` to `max` characters (`max` unbounded when left out). */
const text = (min: number, max?: number) => z.string().check(z.minLength(min), ...(max === undefined ? [] : [z.maxLength(max)]));

const varOp = z.object({
  op: z.enum(["add", "replace", "remove"]),
  path: z.array(z.string()).check(z.minLength(1)),
  value: z.optional(z.unknown()),
});

/** An error as the work describes it (the core's `serializeError`): with its code and its causes. */
const serializedError: z.ZodMiniType<SerializedError> = z.lazy(() =>
  z.object({
    name: z.string(),
    message: z.string(),
    stack: z.optional(z.string()),
    code: z.optional(z.string()),
    cause: z.optional(serializedError),
  }),
);

/** A call id: unique across restarts of the flow (see the core's `newCallId`). */
const callId = text(1, 200);

/** Flow → work. */
export const flowToWork = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("init"),
    /** This incarnation of the work: every message the work sends carries it. */
    incarnation: text(1, 200),
    /** URL of the app's module, loaded in the worker in embedded mode. */
    appModule: text(1),
    name: text(1),
    className: z.string(),
    /**
     * For a work created inside run() whose class another module of the app exports: that module's
     * URL, and the name it exports the class under. The thread imports it to rebuild the work.
     */
    classModule: z.optional(text(1)),
    exportName: z.optional(text(1)),
    constructorOptions: z.unknown(),
    state: z.record(z.string(), z.unknown()),
    /** Compute names of the user's own that the flow's `--host` rules allow (`a100`): allowed before the app's module loads. */
    computeNames: z.optional(z.array(z.string().check(z.maxLength(63))).check(z.maxLength(1000))),
    /** The folder of the app's storage roots; by default next to the app's module (see appStorageDir). */
    storageDir: z.optional(text(1)),
  }),
  z.object({
    type: z.literal("run"),
    callId,
    args: z.array(z.unknown()),
    delta: z.array(varOp),
  }),
  /** Runs the work's stop hooks; the work answers `stopped`. */
  z.object({ type: z.literal("stop") }),
  /** Events were lost: the work answers with a `snapshot`. */
  z.object({ type: z.literal("resync") }),
]);

/** What every work → flow message carries: its incarnation and its place in the incarnation's stream. */
const envelope = { incarnation: text(1, 200), seq: z.number().check(z.int(), z.positive()) };

/** A call's stage as a snapshot reports it. */
const callState = z.object({
  callId,
  stage: z.enum(["running", "succeeded", "failed"]),
  error: z.optional(serializedError),
});

/** Work → flow. */
export const workToFlow = z.discriminatedUnion("type", [
  /** `init` is done: the work is built and takes calls. */
  z.object({ type: z.literal("ready"), ...envelope }),
  /** `init` failed (the app module threw, the work's class was not found). */
  z.object({ type: z.literal("initFailed"), ...envelope, error: serializedError }),
  z.object({ type: z.literal("started"), ...envelope, callId }),
  z.object({ type: z.literal("delta"), ...envelope, ops: z.array(varOp) }),
  z.object({ type: z.literal("log"), ...envelope, stream: z.enum(["stdout", "stderr"]), line: z.string() }),
  z.object({ type: z.literal("succeeded"), ...envelope, callId }),
  z.object({ type: z.literal("failed"), ...envelope, callId, error: serializedError }),
  /** The work's stop hooks have run: the last message of a stopping work, after all its output. */
  z.object({ type: z.literal("stopped"), ...envelope }),
  /**
   * The work's thread is ending by itself (`process.exit()`): says where the user's code called it, and
   * tells runtimes that do not tell the parent (Deno).
   */
  z.object({ type: z.literal("exiting"), ...envelope, code: z.optional(z.number().check(z.int())), error: z.optional(serializedError) }),
  /** The answer to `resync`: the work's fields and its calls' stages, as of message `seq`. */
  z.object({ type: z.literal("snapshot"), ...envelope, state: z.record(z.string(), z.unknown()), calls: z.array(callState) }),
]);

export type FlowToWork = z.infer<typeof flowToWork>;
export type WorkToFlow = z.infer<typeof workToFlow>;
export type InitMessage = Extract<FlowToWork, { type: "init" }>;
export type RunMessage = Extract<FlowToWork, { type: "run" }>;
