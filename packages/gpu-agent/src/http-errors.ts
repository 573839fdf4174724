/**
 * Errors over HTTP: every failure is `{ "error": { "code", "message" } }` with
 * a status, and request bodies are read with a size limit and validated with zod.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

/** An error a route answers with: status, a stable `code`, and a message saying what to do. */
export class AgentHttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  constructor(status: ContentfulStatusCode, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.name = "AgentHttpError";
  }
}

/** The JSON body of an error response. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** Answers `c` with the error `{ error: { code, message } }`. */
export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({ error: { code, message } } satisfies ErrorBody, status);
}

/** The default request body limit of {@link readJsonBody}: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Reads the JSON request body of `c` (at most `maxBytes`, streamed so a bigger
 * one is refused without reading it all) and validates it with `schema`.
 * @throws AgentHttpError 413 `E_BODY_TOO_LARGE`, 415 `E_CONTENT_TYPE`, 400 `E_BAD_JSON` or 400 `E_INVALID_BODY` (naming the field).
 * @example
 * app.post("/v1/works", async (c) => {
 *   const body = await readJsonBody(c, z.object({ name: z.string().max(200) }), { maxBytes: 64 * 1024 });
 *   ...
 * });
 */
export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S, options: { maxBytes?: number } = {}): Promise<z.infer<S>> {
  const maxBytes = options.maxBytes ?? DEFAULT_BODY_LIMIT;
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw new AgentHttpError(415, "E_CONTENT_TYPE", `the request body must be JSON (content-type: application/json), got ${JSON.stringify(type)}.`);
  const declared = Number(c.req.header("content-length") ?? "NaN");
  const tooLarge = () => new AgentHttpError(413, "E_BODY_TOO_LARGE", `the request body is larger than ${maxBytes} bytes.`);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const body = c.req.raw.body;
  if (body !== null) {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new AgentHttpError(400, "E_BAD_JSON", `the request body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length === 0 ? "the body" : `field "${issue.path.join(".")}"`;
    throw new AgentHttpError(400, "E_INVALID_BODY", `invalid request body: ${field} ${issue.message}.`);
  }
  return parsed.data;
}
