/** reference/rest.md and public/openapi.json: the app server's REST API, from the route table of rest-api.ts. */
import { z } from "zod";
import { GENERATED } from "./paths.ts";
import { REST_ROUTES, type RestRoute } from "./rest-api.ts";
import { writeGenerated } from "./write-file.ts";

/** `/api/v1/commands/:name` as OpenAPI writes it: `/api/v1/commands/{name}`. */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, "{$1}");

/** A schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), every part inline. */
function schemaOf(schema: z.core.$ZodType): unknown {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", unrepresentable: "any", io: "input" }) as Record<string, unknown>;
  return rest;
}

function operation(route: RestRoute): Record<string, unknown> {
  const parameters = [
    ...[...route.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } })),
    ...(route.query ?? []).map((q) => ({ name: q.name, in: "query", required: false, description: q.description, schema: schemaOf(q.schema) })),
  ];
  const responses = Object.fromEntries(
    Object.entries(route.answers).map(([status, answer]) => [
      status,
      {
        description: answer.description,
        ...(answer.schema ? { content: { "application/json": { schema: schemaOf(answer.schema) } } } : {}),
        ...(answer.contentType ? { content: { [answer.contentType]: {} } } : {}),
      },
    ]),
  );
  return {
    summary: route.summary,
    description: route.description,
    ...(parameters.length ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(route.body) } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the app server. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of REST_ROUTES) (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route);
  return {
    openapi: "3.1.0",
    info: {
      title: "lit-app app server",
      version: "1",
      description:
        "The REST API every running app serves (http://127.0.0.1:7501 by default). Beyond loopback, every request carries the app's token: " +
        "'Authorization: Bearer <token>', ?token=, or the cookie set when a page was opened with ?token=.",
    },
    servers: [{ url: "http://127.0.0.1:7501" }],
    components: { securitySchemes: { token: { type: "http", scheme: "bearer" } } },
    paths,
  };
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** The Markdown page: each route with its parameters, body schema and answers. */
export function restReferenceMarkdown(): string {
  const out = [
    "---",
    "title: REST API",
    "---",
    "",
    "<!-- Generated from apps/docs/scripts/rest-api.ts (the server's zod schemas) by apps/docs/scripts/rest-reference.ts; do not edit. -->",
    "",
    "# REST API of the app server",
    "",
    "Every running app serves this API beside its UI, at http://127.0.0.1:7501 unless that port is taken. On loopback it needs no token;",
    "listening on other addresses, every request carries the app's token (`Authorization: Bearer <token>`, `?token=`, or the cookie",
    "set when a page was opened with `?token=`). A refused request is answered `{ \"error\": { \"code\", \"message\" } }` with the status below.",
    "The routes an app's own flows declare with `configureApi()` are served beside these.",
    "",
    "The same as OpenAPI 3.1: [openapi.json](/openapi.json){target=\"_self\"}.",
    "",
  ];
  for (const route of REST_ROUTES) {
    out.push(`## ${route.method.toUpperCase()} \`${route.path}\``, "", `**${route.summary}.** ${route.description}`, "");
    if (route.query?.length) {
      out.push("| Query | |", "| --- | --- |", ...route.query.map((q) => `| \`${q.name}\` | ${q.description} |`), "");
    }
    if (route.body) out.push("Body (JSON Schema):", "", "```json", json(schemaOf(route.body)), "```", "");
    out.push("| Answer | |", "| --- | --- |");
    for (const [status, answer] of Object.entries(route.answers)) out.push(`| ${status} | ${answer.description}${answer.contentType ? ` (\`${answer.contentType}\`)` : ""} |`);
    out.push("");
    const ok = Object.entries(route.answers).find(([status, answer]) => status.startsWith("2") && answer.schema);
    if (ok) out.push(`${ok[0]} body (JSON Schema):`, "", "```json", json(schemaOf(ok[1].schema!)), "```", "");
  }
  return out.join("\n");
}

/** Writes public/openapi.json and reference/rest.md. */
export function writeRestReference(): void {
  writeGenerated(GENERATED.openapi, `${json(openApiDocument())}\n`);
  writeGenerated(GENERATED.rest, restReferenceMarkdown());
}
