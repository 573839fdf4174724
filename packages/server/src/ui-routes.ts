/**
 * What browsers load: the UI at `/` (files of `src/ui`), the browser client at
 * `/client.js`, the layout at `/api/v1/layout`, and static frontends at
 * `/frontends/<flow>/<tab index>/...`.
 */
import type { AppRuntime } from "@lit-app/core";
import type { Hono } from "hono";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { appLayout, findFrontend } from "./layout.ts";
import { serveFile } from "./static-files.ts";

const UI_DIR = fileURLToPath(new URL("./ui/", import.meta.url));
const CLIENT_DIR = fileURLToPath(new URL("./client/", import.meta.url));

function frontendRoot(dir: string): string {
  return dir.startsWith("file:") ? fileURLToPath(dir) : resolve(dir);
}

/** Adds the browser-facing routes. */
export function uiRoutes(app: Hono<any>, runtime: AppRuntime): void {
  app.get("/", () => serveFile(UI_DIR, "index.html"));
  app.get("/ui/*", (c) => serveFile(UI_DIR, new URL(c.req.url).pathname.slice("/ui/".length)));
  // /client.js redirects so that the module's own relative imports resolve under /client/
  app.get("/client.js", (c) => c.redirect(`/client/client.js${new URL(c.req.url).search}`, 302));
  app.get("/client/*", (c) => serveFile(CLIENT_DIR, new URL(c.req.url).pathname.slice("/client/".length)));
  app.get("/favicon.ico", () => serveFile(UI_DIR, "favicon.svg"));

  app.get("/api/v1/layout", (c) => c.json({ name: runtime.app.name, tabs: appLayout(runtime) }));

  app.get("/frontends/:flow/:index{[0-9]+}", (c) => c.redirect(`${new URL(c.req.url).pathname}/${new URL(c.req.url).search}`, 301));
  app.get("/frontends/:flow/:index{[0-9]+}/*", async (c) => {
    const flow = c.req.param("flow");
    const index = Number(c.req.param("index"));
    let frontend;
    try {
      frontend = findFrontend(runtime, flow, index);
    } catch (error) {
      return c.text(`${flow}.configureLayout() threw: ${(error as Error).message}`, 500);
    }
    if (!frontend) return c.text(`no static frontend at tab ${index} of ${flow}; see GET /api/v1/layout.`, 404);
    const raw = new URL(c.req.url).pathname;
    const prefix = raw.split("/").slice(0, 4).join("/") + "/";
    return serveFile(frontendRoot(frontend.dir), raw.slice(prefix.length));
  });
}
