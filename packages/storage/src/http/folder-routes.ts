import { Hono } from "hono";
import { mkdir, realpath } from "node:fs/promises";
import { checkFolderRecord } from "../folder/folder-record.ts";
import { placePush } from "../folder/place-push.ts";
import { missingForPush } from "../folder/push-missing.ts";
import { checkBody } from "../folder/push-wire.ts";
import { receivePush } from "../folder/staged-push.ts";
import type { LocalRoot } from "../root.ts";
import { checkRelativePath } from "../safe-path.ts";
import { nodeBody } from "./routes.ts";
import { hashesOf, validBody } from "./json-body.ts";
import { fromWebStream } from "./web-streams.ts";
import type { StorageLimits } from "./wire.ts";

const where = "routes";

/**
 * The folder routes, mounted by `storageRoutes` at `/folders` (behind its
 * authentication): a whole folder in one request each way.
 *
 * - `POST /folders/check` (`{ target }` → `{ digest, intact }`): the digest of
 *   the manifest last pushed to `target`, and whether its files are still as
 *   the push left them (a stat of each, no read).
 * - `POST /folders/missing` (`{ hashes }` → `{ missing }`): what a push must
 *   carry, as `/tree/missing` says, asked in one look at the store's folders.
 * - `PUT /folders/push?target=` (a 4-byte length, a JSON head `{ manifest,
 *   blobs }`, then the blobs' bytes → `{ filesWritten, bytesWritten, digest }`):
 *   the blobs are written into a staging folder, verified, made durable with
 *   one flush and put in place (see `placePush`); content the head does not
 *   carry comes from the root's store or tree, else the push fails with
 *   `E_BLOB_NOT_FOUND` naming the hash, and nothing of it is in place.
 */
export function folderRoutes(root: LocalRoot, limits: StorageLimits): Hono {
  const app = new Hono();
  const realRoot = async () => {
    await mkdir(root.dir, { recursive: true });
    return realpath(root.dir);
  };

  app.post("/check", async (c) => {
    const { target } = await validBody(c, checkBody, 8 * 1024, "a folder check");
    checkRelativePath(where, target, true);
    return c.json(await checkFolderRecord(await realRoot(), target, limits.manifestBytes));
  });

  app.post("/missing", async (c) => c.json({ missing: await missingForPush(root, await hashesOf(c, limits)) }));

  app.put("/push", async (c) => {
    const target = c.req.query("target") ?? "";
    checkRelativePath(where, target, true);
    const body = nodeBody(c) ?? fromWebStream(c.req.raw.body ?? new ReadableStream({ start: (s) => s.close() }));
    const staged = await receivePush(await realRoot(), body, limits);
    return c.json(await placePush(root, target, staged, limits));
  });

  return app;
}
