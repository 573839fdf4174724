/**
 * @lit-app/server: the app server of lit-app. Serves a running app's state
 * (read, changed by JSON Patch, streamed live), its layout, the routes and
 * commands its flows declare, the browser client and the UI.
 * @example
 * import { startAppServer } from "@lit-app/server";
 * const server = await startAppServer(engine); // http://127.0.0.1:7501
 */
export { startAppServer, DEFAULT_PORT, type AppServer, type AppServerOptions } from "./start.ts";
export { runCommand, runCliCommand, listCommands, parseCommandArgv, pickApp, type CommandListing } from "./command-client.ts";
export { findRunningApps, appsDir, type RunningApp } from "./discovery.ts";
export { ASSET_DIRS, readUiAssets, writeUiAssets, type UiAssets } from "./ui-assets.ts";
export type { CommandInfo } from "./command-routes.ts";
export type { ServedRoute } from "./user-api.ts";
export type { ResolvedTab } from "./layout.ts";
export type { LiveMessage, LogEntry } from "./feed.ts";
export {
  ServerError,
  PortInUseError,
  ServerOptionError,
  RouteConfigError,
  AppNotFoundError,
  RemoteError,
  CommandArgsError,
  type ServerErrorCode,
} from "./errors.ts";
