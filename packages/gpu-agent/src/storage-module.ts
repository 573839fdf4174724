/**
 * The agent's storage: one storage root on the host (`<lit home>/storage`),
 * served at `/v1/storage` by `@lit-app/storage/http`'s routes (blobs by hash,
 * manifests, resumable uploads, "which of these do you miss"), behind the
 * agent's token like every route. A controller syncs Paths and the app's
 * folder into it with an `httpRoot` whose requests go through its SSH forward.
 */
import { join } from "node:path";
import { storageRoutes } from "@lit-app/storage/http";
import type { AgentModule } from "./module.ts";

/** Where the storage routes are mounted. */
export const STORAGE_ROUTE = "/v1/storage";

/** The storage module: the host's storage root over HTTP. */
export function storageModule(): AgentModule {
  return {
    name: "storage",
    start(ctx) {
      const routes = storageRoutes({ root: join(ctx.paths.home, "storage") });
      return { mount: (app) => void app.route(STORAGE_ROUTE, routes) };
    },
  };
}
