/**
 * @lit-app/storage/http: one storage root served over HTTP (`storageRoutes`,
 * a Hono sub-app an agent mounts behind its authentication), and its clients:
 * `httpDriver` (the blob store, a `Driver`) and `httpRoot` (the root, for the
 * transfer engine's `sync`).
 *
 * @example
 * // on the agent
 * app.route("/storage", storageRoutes({ root: storageDir }));
 * // on the controller
 * const gpu = httpRoot({ url: "http://127.0.0.1:7070/storage", token, fetch: tunnelFetch });
 * await sync(localRoot(appDir), gpu, "data");
 */
export { storageRoutes } from "./routes.ts";
export type { StorageRoutesOptions } from "./routes.ts";
export { bearerToken } from "./bearer.ts";
export { httpDriver } from "./driver.ts";
export type { HttpDriver, HttpDriverOptions } from "./driver.ts";
export { httpRoot } from "./root.ts";
export type { HttpRoot } from "./root.ts";
export { HttpClient } from "./client.ts";
export type { FetchLike, HttpClientOptions } from "./client.ts";
export { nodeFetchOver } from "./node-fetch.ts";
export { readLimited } from "./web-streams.ts";
export { HttpError, TooLargeError } from "./errors.ts";
export { DEFAULT_LIMITS } from "./wire.ts";
export type { StorageLimits } from "./wire.ts";
