/**
 * The app server's REST API (packages/server: state-routes.ts, live-routes.ts, command-routes.ts,
 * ui-routes.ts' layout) as a table of routes with zod schemas, from which reference/rest.md and
 * public/openapi.json are made. The body of `POST /api/v1/delta` is the server's own schema
 * (DeltaSchema); src/reference.test.ts checks that this table names every `/api/v1` route the
 * server's source declares, and no other.
 */
import { z } from "zod";
import { DeltaSchema } from "../../../packages/server/src/state-routes.ts";

/** Every refusal: `{ error: { code, message, ... } }` (packages/server/src/responses.ts). */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "A literal code, e.g. E_VALIDATION, E_PATCH, E_STATE_LIMIT, E_NO_COMMAND." }),
      message: z.string().meta({ description: "What was wrong and what to do." }),
      issues: z.optional(z.array(z.unknown())).meta({ description: "zod's issues, for a body that does not match its schema." }),
      component: z.optional(z.string()),
      field: z.optional(z.string()),
      limit: z.optional(z.string()).meta({ description: "The state limit passed (E_STATE_LIMIT)." }),
    }),
  });

const ComponentSchema = z
  .object({
    kind: z.enum(["flow", "work"]),
    vars: z.record(z.string(), z.unknown()).meta({ description: "The component's public fields, encoded (a Path, Drive, Payload as { $lit: type, ... })." }),
    status: z.optional(
      z.object({
        stage: z.enum(["not_started", "pending", "running", "succeeded", "failed", "stopped"]),
        timestamp: z.number(),
        reason: z.optional(z.string()),
        message: z.optional(z.string()),
      }),
    ),
    compute: z.optional(z.object({ name: z.string(), diskSize: z.number(), idleTimeout: z.nullable(z.number()), shmSize: z.number(), gpus: z.number() })),
    url: z.optional(z.string()),
    placement: z.optional(z.object({ host: z.string(), gpus: z.array(z.string()) })),
  });

/** The state document (packages/core/src/state-document.ts). */
export const StateSchema = z
  .object({ stage: z.string(), components: z.record(z.string(), ComponentSchema).meta({ description: "By dotted name: root, root.train, ..." }) });

const LogEntrySchema = z
  .object({ seq: z.number(), component: z.string(), stream: z.enum(["stdout", "stderr"]), line: z.string(), time: z.number() });

/** A query parameter of a route. */
export interface QueryParam {
  name: string;
  description: string;
  schema: z.ZodType;
}

/** One answer of a route. */
export interface RouteAnswer {
  description: string;
  /** JSON body, when the answer is JSON. */
  schema?: z.core.$ZodType;
  /** Another content type (`text/event-stream`). */
  contentType?: string;
}

/** One route of the app server. */
export interface RestRoute {
  method: "get" | "post";
  /** The Hono path, e.g. `/api/v1/commands/:name`. */
  path: string;
  summary: string;
  description: string;
  query?: QueryParam[];
  /** The JSON body's schema. */
  body?: z.core.$ZodType;
  answers: Record<number, RouteAnswer>;
}

const refused = (description: string): RouteAnswer => ({ description, schema: ErrorSchema });
const component: QueryParam = { name: "component", description: "Only this component's logs (a dotted name; its children's too).", schema: z.string() };

/** The `/api/v1` routes of every app server. */
export const REST_ROUTES: readonly RestRoute[] = [
  {
    method: "get",
    path: "/api/v1/state",
    summary: "The app's state",
    description: "The whole state document; the header x-lit-seq holds the sequence number of the last change it includes.",
    answers: { 200: { description: "The state document.", schema: StateSchema } },
  },
  {
    method: "post",
    path: "/api/v1/delta",
    summary: "Change the app's state",
    description:
      "Applies a JSON Patch (RFC 6902) to the state, all or nothing. An optional header x-lit-ack names the change; live clients see it on the patch it made.",
    body: DeltaSchema,
    answers: {
      200: { description: "Applied.", schema: z.object({ ok: z.literal(true), seq: z.number() }) },
      400: refused("Not valid JSON, not a patch, nesting deeper than limits.maxDepth, or a change of the state's shape (E_STATE_SHAPE)."),
      409: refused("The app is no longer running (E_APP_STATE)."),
      413: refused("Over maxBodySize, limits.maxPatchOps or another state limit (E_TOO_LARGE, E_STATE_LIMIT)."),
      415: refused("The body is not sent as application/json (E_CONTENT_TYPE)."),
      503: refused("The app is starting: send it again (Retry-After: 1)."),
    },
  },
  {
    method: "get",
    path: "/api/v1/status",
    summary: "The app's stage and its works' statuses",
    description: "A short summary: the app's name and stage, and for each work its status, machine and URL.",
    answers: {
      200: {
        description: "The summary.",
        schema: z.object({
          name: z.string(),
          stage: z.string(),
          works: z.record(z.string(), z.object({ status: z.unknown(), compute: z.optional(z.string()), url: z.optional(z.string()) })),
        }),
      },
    },
  },
  {
    method: "get",
    path: "/api/v1/ws",
    summary: "Live state over a WebSocket",
    description:
      'A WebSocket: first `{type:"state", seq, state}`, then `{type:"patch", seq, ops}` for each change, and with logs=1 `{type:"log", log}` lines. A client reading too slowly is closed with code 4008.',
    query: [{ name: "logs", description: "1: send the logs too.", schema: z.enum(["1"]) }, component],
    answers: { 101: { description: "Switching to the WebSocket protocol." } },
  },
  {
    method: "get",
    path: "/api/v1/events",
    summary: "Live state as server-sent events",
    description: "The WebSocket's messages as server-sent events, for clients without WebSockets.",
    query: [{ name: "logs", description: "1: send the logs too.", schema: z.enum(["1"]) }, component],
    answers: { 200: { description: "One JSON message per event.", contentType: "text/event-stream" } },
  },
  {
    method: "get",
    path: "/api/v1/logs",
    summary: "The works' logs",
    description: "The lines the works printed after `since`; with follow=1, those and then each new line as a server-sent event.",
    query: [
      component,
      { name: "since", description: "Lines after this sequence number (default 0).", schema: z.number().int().min(0) },
      { name: "limit", description: "At most this many lines (default 1000, at most 5000).", schema: z.number().int().min(1).max(5000) },
      { name: "follow", description: "1: stream new lines as server-sent events.", schema: z.enum(["1"]) },
    ],
    answers: {
      200: { description: "The lines, and the sequence number to ask from next.", schema: z.object({ logs: z.array(LogEntrySchema), last: z.number() }) },
    },
  },
  {
    method: "get",
    path: "/api/v1/layout",
    summary: "The app's UI tabs",
    description: "The tabs the flows' configureLayout() declares, resolved to URLs.",
    answers: { 200: { description: "The app's name and tabs.", schema: z.object({ name: z.string(), tabs: z.array(z.object({ name: z.string() }).loose()) }) } },
  },
  {
    method: "get",
    path: "/api/v1/commands",
    summary: "The app's commands",
    description: "The commands the flows declare in configureCommands(), each with its arguments as JSON Schema when it has a zod schema.",
    answers: {
      200: {
        description: "The commands.",
        schema: z.object({
          commands: z.array(z.object({ name: z.string(), flow: z.string(), description: z.optional(z.string()), args: z.optional(z.unknown()) })),
        }),
      },
    },
  },
  {
    method: "post",
    path: "/api/v1/commands/:name",
    summary: "Run a command",
    description: "Runs the command with a JSON object of arguments (checked against its zod schema) and answers its result.",
    body: z.record(z.string(), z.unknown()),
    answers: {
      200: { description: "The handler's result (null when it returned nothing).", schema: z.object({ result: z.unknown() }) },
      202: { description: "The handler stopped the app or a work; the change is under way.", schema: z.object({ accepted: z.literal(true), message: z.string() }) },
      400: refused("Arguments not matching the command's schema (E_VALIDATION), or not valid JSON."),
      404: refused("No command of that name (E_NO_COMMAND)."),
      413: refused("Over maxBodySize, or what the handler stored is over the app's limits."),
      415: refused("The body is not sent as application/json."),
      500: refused("The handler threw (its error's code, or E_HANDLER)."),
    },
  },
];
