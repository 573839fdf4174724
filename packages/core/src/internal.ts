/**
 * @lit-app/core/internal: the plumbing that the other lit-app packages share
 * (the run loop's driver, the work runner, the ports, state encoding, event
 * ordering). Not part of the public API (that is `@lit-app/core`); it may
 * change with any release.
 */
export { isFlow } from "./flow.ts";
export { registerWorkClass, knownWorkClasses, type WorkClass } from "./work.ts";
export { ApiRoute } from "./api.ts";
export { setAutoStart, lastConstructedApp } from "./app.ts";
export { DEFAULT_LIMITS } from "./state-limits.ts";
export type { ClientSchema } from "./state-shape.ts";
export { COMPUTE_NAMES, allowComputeNames, allowedComputeNames } from "./compute.ts";
export type { Child } from "./structures.ts";
export { prepareRun } from "./storage/prepare.ts";
export { bindStorage } from "./storage/context.ts";
export { normalizePath } from "./storage/relative-path.ts";
export { CRON_ALIASES, preloadCron } from "./schedule.ts";
export { serializeError, type SerializedError } from "./errors.ts";
export { AppEngine, type AppResult, type LogLine } from "./app-engine.ts";
export type {
  WorkExecutor,
  WorkRef,
  WorkCall,
  WorkEvent,
  Clock,
  WakeScheduler,
  EnginePorts,
  StoragePort,
  DriveSpec,
  StateJournal,
} from "./ports.ts";
export {
  emptyDurableState,
  replayJournal,
  type DurableCall,
  type DurableCallStage,
  type DurableComponent,
  type DurableState,
  type DurableWork,
  type JournalRecord,
} from "./durable-state.ts";
export {
  encodeState,
  decodeState,
  registerStateType,
  toStateValue,
  type DecodeContext,
  type StateType,
} from "./state-value.ts";
export { applyVarOp, type VarOp } from "./var-ops.ts";
export { stateDocument, type PatchOp, type StateDocument, type ComponentDocument } from "./state-document.ts";
export { callHash, stableStringify } from "./call-hash.ts";
export { runMethodOf } from "./work-run.ts";
export { loadWork, runWorkCall, type LoadWorkOptions, type LoadedWork } from "./work-loader.ts";
export { WorkRunner, type RunnableWork, type RunnerCall, type RunnerReport, type WorkRunnerOptions } from "./work-runner.ts";
export { EventOrder, newIncarnation, type EventVerdict } from "./event-order.ts";
export { workCreation, type WorkCreation } from "./work-creation.ts";
export { runStopHooks } from "./stop-hooks.ts";
