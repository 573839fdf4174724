/**
 * The storage routes on a loopback port, behind a bearer token, as an agent
 * mounts them: for tests and benchmarks (no vitest here).
 */
import { createAdaptorServer } from "@hono/node-server";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import { bearerToken } from "../http/bearer.ts";
import { storageRoutes } from "../http/routes.ts";
import type { StorageLimits } from "../http/wire.ts";

/** A running server: its routes' base URL, the token it wants, and how to stop it. */
export interface StorageServer {
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/** Serves the storage root `dir` at `http://127.0.0.1:<port>/storage`. */
export async function serveStorage(dir: string, options: { limits?: Partial<StorageLimits>; port?: number } = {}): Promise<StorageServer> {
  const token = randomBytes(24).toString("hex");
  const app = new Hono();
  app.route("/storage", storageRoutes({ root: dir, limits: options.limits, authorize: bearerToken(token) }));
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/storage`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
