/**
 * The agent's apps module: the apps deployed to this host (`lit deploy`),
 * each flow in its own supervised process (see {@link DeployedApps}).
 *
 * - `POST /v1/apps` with a {@link DeployAppSpec}: deploys (replacing an app of that name); 201 with its status.
 * - `GET /v1/apps`: `{ apps: DeployedAppStatus[] }`.
 * - `GET /v1/apps/:name`: its status; 404 `E_NO_APP`. With `?wait=running` it answers once the
 *   flow's server listens or the flow can no more start this time (it ended, failed, or is to be
 *   started again), or after 10 s: `lit deploy` is told at once, without polling.
 * - `DELETE /v1/apps/:name[?purge=1]`: stops it (flow and works); its storage is kept unless `purge`.
 */
import type { Hono } from "hono";
import { AgentHttpError, readJsonBody } from "../http-errors.ts";
import type { AgentModule } from "../module.ts";
import { APP_NAME, deployAppSchema } from "./app-spec.ts";
import { DeployedApps, type DeployedAppsOptions } from "./deployed-apps.ts";

function nameOf(raw: string): string {
  if (!APP_NAME.test(raw)) throw new AgentHttpError(400, "E_APP_NAME", `not an app name: ${JSON.stringify(raw.slice(0, 80))} (lowercase letters, digits, ".", "_", "-").`);
  return raw;
}

function noApp(name: string): AgentHttpError {
  return new AgentHttpError(404, "E_NO_APP", `no app named ${name} is deployed on this host; GET /v1/apps lists them.`);
}

/** The longest `?wait=running` holds a request, ms: the caller asks again after it. */
const WAIT_MS = 10_000;

/** Adds the apps routes for `apps` to `app`. */
export function mountAppRoutes(app: Hono, apps: DeployedApps): void {
  app.post("/v1/apps", async (c) => {
    const spec = await readJsonBody(c, deployAppSchema, { maxBytes: 256 * 1024 });
    try {
      return c.json(await apps.deploy(spec), 201);
    } catch (error) {
      throw new AgentHttpError(409, "E_APP_DEPLOY", `${spec.name} could not be deployed: ${(error as Error).message}`);
    }
  });
  app.get("/v1/apps", (c) => c.json({ apps: apps.list() }));
  app.get("/v1/apps/:name", async (c) => {
    const name = nameOf(c.req.param("name"));
    const wait = c.req.query("wait");
    if (wait !== undefined && wait !== "running") throw new AgentHttpError(400, "E_APP_WAIT", `wait takes "running" (wait until the flow's server listens), got ${JSON.stringify(wait.slice(0, 40))}.`);
    const status = wait ? await apps.started(name, WAIT_MS) : apps.status(name);
    if (!status) throw noApp(name);
    return c.json(status);
  });
  app.delete("/v1/apps/:name", async (c) => {
    const name = nameOf(c.req.param("name"));
    const purge = c.req.query("purge") === "1";
    if (!(await apps.stop(name, { purge }))) throw noApp(name);
    return c.json({ name, stopped: true, purged: purge });
  });
}

/** The apps module, with options for tests (the runtime, the backoff). */
export function appsModule(options: Omit<DeployedAppsOptions, "home"> = {}): AgentModule {
  return {
    name: "apps",
    start(ctx) {
      const apps = DeployedApps.open({ ...options, home: ctx.paths.home });
      return { mount: (app) => mountAppRoutes(app, apps), close: async () => apps.close() };
    },
  };
}
