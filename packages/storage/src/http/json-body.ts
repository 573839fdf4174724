/**
 * Reading a request's JSON body within a limit, and checking it with a zod
 * schema: what every JSON route of the storage server does first.
 */
import type { Context } from "hono";
import type { z } from "zod";
import { HttpError, TooLargeError } from "./errors.ts";
import { readLimited } from "./web-streams.ts";
import { hashesBody, type StorageLimits } from "./wire.ts";

const where = "routes";

/** The body parsed as JSON; over `limit` bytes (declared or sent) it is a 413 naming `what`, not JSON a 400. */
export async function jsonBody(c: Context, limit: number, what: string): Promise<unknown> {
  const declared = Number(c.req.header("content-length") ?? 0);
  const tooLarge = () => new TooLargeError(where, what, `${limit} bytes`);
  if (declared > limit) throw tooLarge();
  const bytes = await readLimited(c.req.raw.body, limit, tooLarge);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new HttpError(where, c.req.path, c.req.method, `the body is not JSON (${what})`);
  }
}

/** The body checked with `schema`; one that does not fit is a 400 with the first issue. */
export async function validBody<S extends z.ZodType>(c: Context, schema: S, limit: number, what: string): Promise<z.infer<S>> {
  const parsed = schema.safeParse(await jsonBody(c, limit, what));
  if (!parsed.success) throw new HttpError(where, c.req.path, c.req.method, `invalid body: ${parsed.error.issues[0]?.message ?? ""}`);
  return parsed.data;
}

/** The `{ hashes }` body of the `missing` routes. */
export async function hashesOf(c: Context, limits: StorageLimits): Promise<string[]> {
  return (await validBody(c, hashesBody(limits), limits.hashesPerRequest * 70 + 1024, "the list of hashes")).hashes;
}
