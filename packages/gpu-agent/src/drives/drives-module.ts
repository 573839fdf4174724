/**
 * The agent's drives module: Drive operations of this host's works go to the
 * app's Drive authority (the machine the flow runs on), so that every work of
 * an app, on any host, sees one Drive with one set of claims.
 *
 * - `POST /v1/drives/request` (a work's process, with the agent's token):
 *   `{ app: "apps/<name>", operation }`; answers with the outcome once the
 *   controller did it (long: a put sends the file first), or at once with
 *   `E_DRIVE_LOCAL` when no controller took the app's requests in the last
 *   15 minutes (a deployed app whose flow does not serve Drives): the work
 *   then keeps its Drives on this host.
 * - `GET /v1/drives/next?app=apps/<name>&waitMs=` (the controller): the app's
 *   waiting requests, within `waitMs` (at most 30 s), or `{ requests: [] }`.
 * - `POST /v1/drives/reply` (the controller): `{ id, outcome }`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Hono } from "hono";
import { writeFileAtomicSync } from "@lit-app/runtime";
import { z } from "zod";
import { AgentHttpError, readJsonBody } from "../http-errors.ts";
import type { AgentModule } from "../module.ts";
import { APP_DIR, driveReply, driveRequest, MAX_REPLY_BYTES } from "./drive-messages.ts";
import { DriveQueue, type DriveQueueOptions } from "./drive-queue.ts";

/** Where the drive routes are mounted. */
export const DRIVES_ROUTE = "/v1/drives";

/** Adds the drive routes for `queue` to `app`. */
export function mountDriveRoutes(app: Hono, queue: DriveQueue): void {
  app.post(`${DRIVES_ROUTE}/request`, async (c) => {
    const body = await readJsonBody(c, driveRequest, { maxBytes: 64 * 1024 });
    return c.json(await queue.request(body.app, body.operation));
  });
  app.get(`${DRIVES_ROUTE}/next`, async (c) => {
    const appDir = c.req.query("app") ?? "";
    if (!APP_DIR.test(appDir)) throw new AgentHttpError(400, "E_INVALID_QUERY", `"app" must be the app's storage folder (apps/<name>), got ${JSON.stringify(appDir.slice(0, 80))}.`);
    const waitMs = Math.min(30_000, Math.max(0, Number(c.req.query("waitMs") ?? "8000") || 0));
    return c.json({ requests: await queue.take(appDir, waitMs, c.req.raw.signal) });
  });
  app.post(`${DRIVES_ROUTE}/reply`, async (c) => {
    const body = await readJsonBody(c, driveReply, { maxBytes: MAX_REPLY_BYTES });
    return c.json({ answered: queue.answer(body.id, body.outcome) });
  });
}

/** `agent/drives.json`: when each app's controller last took its Drive requests, so a restarted agent still knows. */
const servedFile = z.record(z.string().regex(APP_DIR), z.number()).refine((r) => Object.keys(r).length <= 10_000);

function readServed(file: string): Record<string, number> {
  try {
    const text = readFileSync(file, "utf8");
    if (text.length > 2 * 2 ** 20) return {};
    const parsed = servedFile.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** The drives module, with options for tests (how long a request waits). */
export function drivesModule(options: Omit<DriveQueueOptions, "hostName" | "served" | "onPoll"> = {}): AgentModule {
  return {
    name: "drives",
    start(ctx) {
      const file = join(ctx.paths.dir, "drives.json");
      const served = readServed(file);
      const onPoll = (app: string) => {
        // Kept on disk at most once a minute per app.
        if (Date.now() - (served[app] ?? 0) < 60_000) return;
        served[app] = Date.now();
        try {
          writeFileAtomicSync(file, JSON.stringify(served));
        } catch {
          // The time stays in memory; a restarted agent waits for the controller's next poll.
        }
      };
      const queue = new DriveQueue({ ...options, hostName: ctx.hostName, served, onPoll });
      return { mount: (app) => mountDriveRoutes(app, queue), close: async () => queue.close() };
    },
  };
}
