/** The state API: `/api/v1/state`, `/api/v1/delta`, `/api/v1/status`. */
import { StateLimitError } from "@lit-app/core";
import type { AppEngine } from "@lit-app/core/internal";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod/mini";
import type { LiveFeed } from "./feed.ts";
import { BadRequest, errorResponse, readJson, validate } from "./responses.ts";

const PatchOpSchema = z.object({
  op: z.enum(["add", "remove", "replace", "test", "move", "copy"]),
  path: z.string(),
  value: z.optional(z.unknown()),
  from: z.optional(z.string()),
});

/** The body of `POST /api/v1/delta`. */
export const DeltaSchema = z.object({ patch: z.array(PatchOpSchema) });

/** A 413 answer for bodies over the limit. */
export function limitBody(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: (c) =>
      c.json({ error: { code: "E_TOO_LARGE", message: `the body is larger than ${maxSize} bytes; send smaller changes (or raise maxBodySize).` } }, 413),
  });
}

/**
 * Adds the state routes. `POST /api/v1/delta` refuses, before applying
 * anything: a body over `maxBodySize` (413), one nesting deeper than the
 * app's `limits.maxDepth` allows (400), a patch of more than
 * `limits.maxPatchOps` operations (413, before the body is validated); the
 * engine then refuses a patch over its other limits (413) or one that
 * changes the state's shape (400), see `AppEngine.applyDelta`.
 */
export function stateRoutes(app: Hono<any>, engine: AppEngine, feed: LiveFeed, maxBodySize: number): void {
  app.get("/api/v1/state", (c) => {
    const { seq, state } = feed.snapshot();
    c.header("x-lit-seq", String(seq));
    return c.json(state);
  });

  // The body is { patch: [ { value } ] }: three levels above the values, whose depth the app limits.
  const maxDepth = engine.limits.maxDepth + 3;
  const maxOps = engine.limits.maxPatchOps;
  app.post("/api/v1/delta", limitBody(maxBodySize), async (c) => {
    try {
      const raw = await readJson(c, "POST /api/v1/delta", maxDepth);
      const ops = (raw as { patch?: unknown } | null)?.patch;
      if (Array.isArray(ops) && ops.length > maxOps) {
        throw new StateLimitError(
          "patchOps",
          `the patch has ${ops.length} operations, more than the ${maxOps} one patch may carry (maxPatchOps). Nothing was applied. ` +
            `Send it as several patches, or raise the app's limits.maxPatchOps.`,
        );
      }
      const body = validate(DeltaSchema, raw, "delta (POST /api/v1/delta)");
      const ack = c.req.header("x-lit-ack");
      feed.withAck(ack && /^[\w:.-]{1,100}$/.test(ack) ? ack : undefined, () => engine.applyDelta(body.patch));
      return c.json({ ok: true, seq: feed.seq });
    } catch (error) {
      if (engine.stage === "not_started" && !(error instanceof BadRequest)) {
        // The server listens before the app's first pass: a client may be quicker than the app.
        c.header("Retry-After", "1");
        return c.json({ error: { code: "E_APP_STATE", message: "the app is starting and takes changes once it runs; send the patch again in a moment." } }, 503);
      }
      if (engine.stage !== "running" && !(error instanceof BadRequest)) {
        return c.json({ error: { code: "E_APP_STATE", message: `the app is ${engine.stage}; its state no longer changes.` } }, 409);
      }
      return errorResponse(c, error);
    }
  });

  app.get("/api/v1/status", (c) => {
    const doc = engine.stateDocument();
    const works: Record<string, unknown> = {};
    for (const [name, comp] of Object.entries(doc.components)) {
      if (comp.kind === "work") works[name] = { status: comp.status, compute: comp.compute?.name, url: comp.url || undefined };
    }
    return c.json({ name: engine.app.name, stage: doc.stage, works });
  });
}
