/**
 * Every message between a flow and a work, as one discriminated union per
 * direction, validated with zod where it crosses a thread (or, through the
 * agent, a network). The flow calls the work over comlink (`init`, `run`,
 * `stop`); the work reports on one message port, in order, so a call's
 * last state changes always arrive before its result.
 */
import type { SerializedError } from "@lit-app/core";
import { z } from "zod";

const varOp = z.object({
  op: z.enum(["add", "replace", "remove"]),
  path: z.array(z.string()).min(1),
  value: z.unknown().optional(),
});

/** An error as the work describes it (the core's `serializeError`): with its code and its causes. */
const serializedError: z.ZodType<SerializedError> = z.lazy(() =>
  z.object({ name: z.string(), message: z.string(), stack: z.string().optional(), code: z.string().optional(), cause: serializedError.optional() }),
);

/** Flow → work. */
export const flowToWork = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("init"),
    /** URL of the app's module, loaded in the worker in embedded mode. */
    appModule: z.string().min(1),
    name: z.string().min(1),
    className: z.string(),
    /**
     * For a work created inside run() whose class another module of the app exports: that module's
     * URL, and the name it exports the class under. The thread imports it to rebuild the work.
     */
    classModule: z.string().min(1).optional(),
    exportName: z.string().min(1).optional(),
    constructorOptions: z.unknown(),
    state: z.record(z.string(), z.unknown()),
    /** The folder of the app's storage roots; by default next to the app's module (see appStorageDir). */
    storageDir: z.string().min(1).optional(),
  }),
  z.object({
    type: z.literal("run"),
    callId: z.number().int(),
    args: z.array(z.unknown()),
    delta: z.array(varOp),
  }),
  z.object({ type: z.literal("stop") }),
]);

/** Work → flow. */
export const workToFlow = z.discriminatedUnion("type", [
  z.object({ type: z.literal("started"), callId: z.number().int() }),
  z.object({ type: z.literal("delta"), ops: z.array(varOp) }),
  z.object({ type: z.literal("log"), stream: z.enum(["stdout", "stderr"]), line: z.string() }),
  z.object({ type: z.literal("succeeded"), callId: z.number().int() }),
  z.object({ type: z.literal("failed"), callId: z.number().int(), error: serializedError }),
  /** The work's stop hooks have run: the last message of a stopping work, after all its output. */
  z.object({ type: z.literal("stopped") }),
  /**
   * The work's thread is ending by itself (`process.exit()`): says where the user's code called it, and
   * tells runtimes that do not tell the parent (Deno).
   */
  z.object({ type: z.literal("exiting"), code: z.number().int().optional(), error: serializedError.optional() }),
]);

export type FlowToWork = z.infer<typeof flowToWork>;
export type WorkToFlow = z.infer<typeof workToFlow>;
export type InitMessage = Extract<FlowToWork, { type: "init" }>;
export type RunMessage = Extract<FlowToWork, { type: "run" }>;

/** What a worker exposes over comlink. */
export interface WorkerApi {
  /** Loads the app module and finds the work; `events` is the port the work reports on. */
  init(message: InitMessage, events: MessagePort): Promise<void>;
  /** Queues one call; its progress and result come as events. */
  run(message: RunMessage): Promise<void>;
  /** Runs the work's stop hooks (ends child processes) before the thread ends. */
  stop(message: { type: "stop" }): Promise<void>;
}
