/**
 * @lit-app/core: flows, works, state and the reactive run loop. Pure: it
 * does no I/O and owns no timers; it is driven through the ports in
 * `ports.ts`, served by the other packages.
 *
 * This module is the public API (`L.*`, see the README); the plumbing that
 * the other lit-app packages share is in `@lit-app/core/internal`.
 */
export { LightningFlow, type LayoutTab } from "./flow.ts";
export { LightningWork, type WorkIsolation, type WorkOptions } from "./work.ts";
export { Get, Post, Put, Delete, type ApiRoute, type ApiHandler, type ApiRequest, type HttpMethod, type RouteOptions } from "./api.ts";
export { Command, type CommandHandler, type CommandOptions } from "./command.ts";
export { StaticWebFrontend } from "./frontend.ts";
export { LightningApp, type AppOptions } from "./app.ts";
export type { AppStage } from "./app-engine.ts";
export type { StateLimits } from "./state-limits.ts";
export { CloudCompute, type ComputeName, type CloudComputeOptions } from "./compute.ts";
export { Dict, List } from "./structures.ts";
export { Path } from "./storage/path.ts";
export { Drive, type DriveOptions, type DriveFromOptions } from "./storage/drive.ts";
export { Payload, type PayloadValue } from "./storage/payload.ts";
export type { WorkStage, WorkStatus } from "./status.ts";
export type { ScheduleOptions } from "./schedule.ts";
export type { JsonValue } from "./state-value.ts";
export { isControlSignal } from "./signals.ts";
export { onWorkStop } from "./stop-hooks.ts";
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
  JournalError,
  HttpError,
  PathError,
  MissingPathError,
  StorageUnavailableError,
  DriveError,
  DriveConflictError,
  DriveOwnershipError,
  DriveNotFoundError,
  PayloadError,
  type LitErrorCode,
  type StateLimitName,
} from "./errors.ts";
