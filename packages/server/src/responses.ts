/** How errors become HTTP answers: `{ error: { code, message, issues? } }` with a fitting status. */
import { AppStateError, HttpError, LitError, PatchError, StateLimitError, StateShapeError, isControlSignal } from "@lit-app/core";
import { serializeError } from "@lit-app/core/internal";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod/mini";
import { useZodMessages } from "./zod-messages.ts";

useZodMessages();

/** A request the server refuses before any handler runs (bad JSON, a body not matching its schema). */
export class BadRequest extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly issues: unknown;
  constructor(message: string, code = "E_BAD_REQUEST", status: ContentfulStatusCode = 400, issues?: unknown) {
    super(message);
    this.code = code;
    this.status = status;
    this.issues = issues;
  }
}

/**
 * True when JSON text nests arrays and objects more than `max` levels deep.
 * Read before parsing, in one pass over the text: a deeply nested body is
 * refused for less than what parsing it would cost.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/**
 * The JSON body of a request, or a {@link BadRequest} saying why it cannot be read.
 * @param maxDepth refuse (StateLimitError, 400) a body nesting deeper than this, before parsing it.
 */
export async function readJson(c: Context, where: string, maxDepth?: number): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new BadRequest(`${where}: send the body as JSON with the header 'Content-Type: application/json' (got "${type || "none"}").`, "E_CONTENT_TYPE", 415);
  }
  const text = await c.req.text();
  if (text.trim() === "") return undefined;
  if (maxDepth !== undefined && nestsDeeperThan(text, maxDepth)) {
    throw new StateLimitError(
      "depth",
      `${where}: the body nests arrays and objects more than ${maxDepth} levels deep; the app takes values at most its limits.maxDepth deep. Send flatter data.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadRequest(`${where}: the body is not valid JSON: ${(error as Error).message}`, "E_JSON");
  }
}

/** Validates `value` with a zod schema (`zod` or `zod/mini`), or throws a {@link BadRequest} with zod's message. */
export function validate<T>(schema: z.core.$ZodType<T>, value: unknown, where: string): T {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  throw new BadRequest(`invalid ${where}:\n${z.prettifyError(result.error)}`, "E_VALIDATION", 400, result.error.issues);
}

/**
 * Turns anything thrown while answering a request into a JSON error response:
 * a refused patch is 400 (`E_PATCH`; `E_STATE_SHAPE` with `component` and `field`),
 * a state limit 413 (`E_STATE_LIMIT` with `limit`; nesting too deep is 400).
 */
export function errorResponse(c: Context, error: unknown): Response {
  if (error instanceof BadRequest) {
    const body: { code: string; message: string; issues?: unknown } = { code: error.code, message: error.message };
    if (error.issues !== undefined) body.issues = error.issues;
    return c.json({ error: body }, error.status);
  }
  if (error instanceof HttpError) return c.json({ error: { code: error.code, message: error.message } }, error.status as ContentfulStatusCode);
  if (error instanceof PatchError) return c.json({ error: { code: error.code, message: error.message } }, 400);
  if (error instanceof StateShapeError) {
    return c.json({ error: { code: error.code, message: error.message, component: error.component, field: error.field } }, 400);
  }
  if (error instanceof StateLimitError) {
    const body: { code: string; message: string; limit: string; component?: string; field?: string } = { code: error.code, message: error.message, limit: error.limit };
    if (error.component !== undefined) body.component = error.component;
    if (error.field !== undefined) body.field = error.field;
    return c.json({ error: body }, error.limit === "depth" ? 400 : 413);
  }
  if (error instanceof AppStateError) return c.json({ error: { code: error.code, message: error.message } }, 409);
  if (isControlSignal(error)) {
    return c.json({ accepted: true, message: (error as { message: string }).message }, 202);
  }
  const code = error instanceof LitError ? error.code : "E_HANDLER";
  return c.json({ error: { code, message: serializeError(error).message } }, 500);
}
