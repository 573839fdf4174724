/**
 * @lit-app/core: flows, works, state and the reactive run loop. Pure: it
 * does no I/O and owns no timers; it is driven through the ports in
 * `ports.ts`, served by the other packages.
 */
export { LightningFlow, isFlow, type LayoutTab } from "./flow.ts";
export { LightningWork, registerWorkClass, type WorkIsolation, type WorkOptions } from "./work.ts";
export { ApiRoute, Get, Post, Put, Delete, type ApiHandler, type ApiRequest, type HttpMethod, type RouteOptions } from "./api.ts";
export { Command, type CommandHandler, type CommandOptions } from "./command.ts";
export { StaticWebFrontend } from "./frontend.ts";
export { LightningApp, setAutoStart, type AppOptions } from "./app.ts";
export { DEFAULT_LIMITS, type StateLimits } from "./state-limits.ts";
export type { ClientSchema } from "./state-shape.ts";
export { CloudCompute, COMPUTE_NAMES, type ComputeName, type CloudComputeOptions } from "./compute.ts";
export { Dict, List, type Child } from "./structures.ts";
export { Path } from "./storage/path.ts";
export { Drive, type DriveOptions, type DriveFromOptions } from "./storage/drive.ts";
export { Payload, type PayloadValue } from "./storage/payload.ts";
export { prepareRun } from "./storage/prepare.ts";
export { bindStorage } from "./storage/context.ts";
export { normalizePath } from "./storage/relative-path.ts";
export type { WorkStage, WorkStatus } from "./status.ts";
export { CRON_ALIASES, type ScheduleOptions } from "./schedule.ts";
export { isControlSignal } from "./signals.ts";
export {
  LitError,
  StateValueError,
  ReservedFieldError,
  ComputeError,
  WorkOptionError,
  ComponentError,
  WorkClassError,
  CronError,
  CallArgumentError,
  PatchError,
  StateLimitError,
  StateShapeError,
  WorkFailedError,
  WorkStoppedError,
  FlowFailedError,
  AppStateError,
  HttpError,
  PathError,
  MissingPathError,
  StorageUnavailableError,
  DriveError,
  DriveConflictError,
  DriveOwnershipError,
  DriveNotFoundError,
  PayloadError,
  serializeError,
  type LitErrorCode,
  type SerializedError,
  type StateLimitName,
} from "./errors.ts";
export { AppRuntime, type AppResult, type AppStage, type LogLine } from "./runtime.ts";
export type {
  WorkExecutor,
  WorkRef,
  WorkCall,
  WorkEvent,
  Clock,
  WakeScheduler,
  RuntimePorts,
  StoragePort,
  DriveSpec,
} from "./ports.ts";
export {
  encodeState,
  decodeState,
  registerStateType,
  toStateValue,
  type DecodeContext,
  type JsonValue,
  type StateType,
} from "./state-value.ts";
export { applyVarOp, type VarOp } from "./var-ops.ts";
export { stateDocument, type PatchOp, type StateDocument, type ComponentDocument } from "./state-document.ts";
export { callHash, stableStringify } from "./call-hash.ts";
export { runMethodOf } from "./work-run.ts";
export { hostWork, runWorkCall, type HostWorkOptions, type HostedWork } from "./work-host.ts";
export { WorkRunner, type RunnableWork, type RunnerCall, type RunnerReport, type WorkRunnerOptions } from "./work-runner.ts";
export { EventOrder, newIncarnation, type EventVerdict } from "./event-order.ts";
export { knownWorkClasses, type WorkClass } from "./work.ts";
export { workCreation, type WorkCreation } from "./work-creation.ts";
export { lastConstructedApp } from "./app.ts";
export { onWorkStop, runStopHooks } from "./stop-hooks.ts";
