/**
 * The routes flows declare in `configureApi()`, served next to the app's own
 * API. Bodies are JSON validated with the route's zod schema (for GET and
 * DELETE the schema validates the query string). Collected when the server
 * starts, from every flow in the tree then.
 */
import type { ApiRoute } from "@lit-app/core";
import type { AppEngine } from "@lit-app/core/internal";
import type { Context, Hono } from "hono";
import { RouteConfigError } from "./errors.ts";
import { bindHandler, callHandler, flowsOf, type BoundHandler } from "./handlers.ts";
import { errorResponse, readJson, validate } from "./responses.ts";
import { limitBody } from "./state-routes.ts";

const RESERVED_PREFIXES = ["/api/v1/", "/ui/", "/frontends/", "/client/"];
const RESERVED = new Set(["/", "/client.js", "/client.d.ts", "/favicon.ico", "/api/v1"]);

/** A route as served: where it came from and how its handler is called. */
export interface ServedRoute {
  method: string;
  route: string;
  flow: string;
  description?: string;
}

function check(route: ApiRoute, flow: string, seen: Map<string, string>): void {
  const where = `${flow}.configureApi(): ${route.method} ${route.route}`;
  if (RESERVED.has(route.route) || RESERVED_PREFIXES.some((p) => route.route.startsWith(p))) {
    throw new RouteConfigError(
      "E_SERVER_ROUTE",
      `${where} clashes with the app server's own routes (/, /client.js, /client/..., /api/v1/..., /ui/..., /frontends/...); choose another path, e.g. /api${route.route}.`,
    );
  }
  const key = `${route.method} ${route.route}`;
  const other = seen.get(key);
  if (other) throw new RouteConfigError("E_SERVER_ROUTE", `${where} is declared twice (also by ${other}); each route may be declared once.`);
  seen.set(key, flow);
}

/**
 * Reads every flow's routes and adds them to `app`; returns what was added.
 * Bodies are bounded like state: over `maxBodySize` is 413, nesting deeper
 * than the app's `limits.maxDepth` is 400, and what a handler stores is held
 * to the app's limits (413 when it would pass `maxStateBytes`).
 */
export function userRoutes(app: Hono<any>, engine: AppEngine, maxBodySize: number): ServedRoute[] {
  const served: ServedRoute[] = [];
  const seen = new Map<string, string>();
  for (const flow of flowsOf(engine)) {
    const routes = flow.configureApi() ?? [];
    if (!Array.isArray(routes)) {
      throw new RouteConfigError("E_SERVER_ROUTE", `${flow.name}.configureApi() must return a list of routes such as [new L.Post("/predict", this.predict)].`);
    }
    for (const route of routes) {
      check(route, flow.name, seen);
      const handler = bindHandler(flow, route.handler);
      const answer = (c: Context) => answerRoute(c, engine, route, handler);
      if (route.method === "POST" || route.method === "PUT") app.on(route.method, route.route, limitBody(maxBodySize), answer);
      else app.on(route.method, route.route, answer);
      const entry: ServedRoute = { method: route.method, route: route.route, flow: flow.name };
      if (route.description) entry.description = route.description;
      served.push(entry);
    }
  }
  return served;
}

async function answerRoute(c: Context, engine: AppEngine, route: ApiRoute, handler: BoundHandler): Promise<Response> {
  const where = `${route.method} ${route.route}`;
  try {
    const query = c.req.query();
    const request = { params: c.req.param() as Record<string, string>, query, headers: c.req.header() };
    let body: unknown;
    if (route.method === "POST" || route.method === "PUT") {
      const raw = await readJson(c, where, engine.limits.maxDepth);
      body = route.body ? validate(route.body, raw, `body of ${where}`) : raw;
    } else if (route.body) {
      body = validate(route.body, query, `query of ${where}`);
    }
    const result = await callHandler(engine, handler, [body, request]);
    if (result instanceof Response) return result;
    if (result === undefined) return c.body(null, 204);
    return c.json(result as object);
  } catch (error) {
    return errorResponse(c, error);
  }
}
