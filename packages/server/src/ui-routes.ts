/**
 * What browsers load: the UI at `/` (files of `src/ui`), the browser client at
 * `/client.js`, the layout at `/api/v1/layout`, and static frontends at
 * `/frontends/<flow>/<tab index>/...`.
 *
 * The UI is sent with a Content-Security-Policy that allows only its own
 * script files: no inline script, no `javascript:` URL, no `eval`, whatever
 * string the app's state holds. Static frontends are the app author's pages
 * and may use inline script; they may only be framed by the app itself.
 */
import type { AppEngine } from "@lit-app/core/internal";
import type { Hono } from "hono";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";
import { appLayout, findFrontend } from "./layout.ts";
import { serveFile } from "./static-files.ts";
import { ASSET_DIRS } from "./ui-assets.ts";


/** The UI's policy: its own files only; frames of http(s) pages (works' servers, layout URLs). */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "frame-src 'self' http: https:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join("; ");

/** The policy of the app's static frontends: any content of their own, framed only by the app. */
export const FRONTEND_CSP = "frame-ancestors 'self'";

function withPolicy(response: Response, policy: string): Response {
  const headers = new Headers(response.headers);
  // an error page is text: it runs and loads nothing
  headers.set("content-security-policy", response.ok ? policy : "default-src 'none'; frame-ancestors 'self'");
  // a new Response: @hono/node-server's would lose headers set on it once a middleware copies it
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function frontendRoot(dir: string): string {
  return dir.startsWith("file:") ? fileURLToPath(dir) : resolve(dir);
}

/**
 * Adds the browser-facing routes.
 * @param assetsDir a folder holding the UI's files (`ui/`, `client/`; see writeUiAssets); default this package's own.
 */
export function uiRoutes(app: Hono<any>, engine: AppEngine, assetsDir?: string): void {
  const UI_DIR = assetsDir === undefined ? ASSET_DIRS.ui : join(assetsDir, "ui");
  const CLIENT_DIR = assetsDir === undefined ? ASSET_DIRS.client : join(assetsDir, "client");
  const ui = async (path: string) => withPolicy(await serveFile(UI_DIR, path), UI_CSP);
  app.get("/", () => ui("index.html"));
  app.get("/ui/*", (c) => ui(new URL(c.req.url).pathname.slice("/ui/".length)));
  // /client.js redirects so that the module's own relative imports resolve under /client/
  app.get("/client.js", (c) => c.redirect(`/client/client.js${new URL(c.req.url).search}`, 302));
  app.get("/client/*", async (c) => withPolicy(await serveFile(CLIENT_DIR, new URL(c.req.url).pathname.slice("/client/".length)), UI_CSP));
  app.get("/favicon.ico", () => ui("favicon.svg"));

  app.get("/api/v1/layout", (c) => c.json({ name: engine.app.name, tabs: appLayout(engine) }));

  app.get("/frontends/:flow/:index{[0-9]+}", (c) => c.redirect(`${new URL(c.req.url).pathname}/${new URL(c.req.url).search}`, 301));
  app.get("/frontends/:flow/:index{[0-9]+}/*", async (c) => {
    const flow = c.req.param("flow");
    const index = Number(c.req.param("index"));
    let frontend;
    try {
      frontend = findFrontend(engine, flow, index);
    } catch (error) {
      return withPolicy(c.text(`${flow}.configureLayout() threw: ${(error as Error).message}`, 500), FRONTEND_CSP);
    }
    if (!frontend) return withPolicy(c.text(`no static frontend at tab ${index} of ${flow}; see GET /api/v1/layout.`, 404), FRONTEND_CSP);
    const raw = new URL(c.req.url).pathname;
    const prefix = raw.split("/").slice(0, 4).join("/") + "/";
    return withPolicy(await serveFile(frontendRoot(frontend.dir), raw.slice(prefix.length)), FRONTEND_CSP);
  });
}
