/**
 * The REST reference (scripts/rest-api.ts) against the app server itself: it names every `/api/v1` route
 * the server's source declares and no other, and a served app's real answers match the schemas and
 * statuses it documents.
 */
import * as L from "@lit-app/core";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestsFlow } from "../../../packages/server/src/test-support/fixtures.ts";
import { serveApp, type ServedApp } from "../../../packages/server/src/test-support/serve-app.ts";
import { REPO } from "../scripts/paths.ts";
import { ErrorSchema, REST_ROUTES, type RestRoute } from "../scripts/rest-api.ts";
import { openApiDocument, openApiPath } from "../scripts/rest-reference.ts";

const SERVER_SRC = join(REPO, "packages/server/src");

/** `get /api/v1/state`, ... for each route the server's source declares. */
function declaredRoutes(): string[] {
  const out: string[] = [];
  for (const file of readdirSync(SERVER_SRC).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
    const text = readFileSync(join(SERVER_SRC, file), "utf8");
    for (const m of text.matchAll(/app\.(get|post|put|patch|delete)\(\s*"(\/api\/v1\/[^"]*)"/g)) out.push(`${m[1]} ${m[2]}`);
  }
  return out.sort();
}

const route = (method: string, path: string): RestRoute => {
  const found = REST_ROUTES.find((r) => r.method === method && r.path === path);
  if (!found) throw new Error(`no ${method} ${path} in scripts/rest-api.ts`);
  return found;
};

/** Asserts that `response` is an answer `route` documents, with a body its schema takes. */
async function expectDocumented(r: RestRoute, response: Response): Promise<unknown> {
  const answer = r.answers[response.status];
  expect(answer, `${r.method} ${r.path} answered ${response.status}, which the reference does not list`).toBeDefined();
  const body = (await response.json()) as unknown;
  const schema = answer!.schema as unknown as { safeParse(v: unknown): { success: boolean; error?: unknown } };
  const parsed = schema.safeParse(body);
  expect(parsed.success, `${r.method} ${r.path} ${response.status}: ${JSON.stringify(body)} does not match: ${String(parsed.error)}`).toBe(true);
  return body;
}

describe("the REST reference", () => {
  it("names every /api/v1 route of the server's source, and no other", () => {
    const documented = REST_ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    expect(documented).toEqual(declaredRoutes());
  });

  it("is OpenAPI 3.1 with each route's path parameters, body and answers", () => {
    const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: unknown; responses: object }>> };
    expect(doc.openapi).toBe("3.1.0");
    for (const r of REST_ROUTES) {
      const op = doc.paths[openApiPath(r.path)]?.[r.method];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(Object.keys(op!.responses).map(Number)).toEqual(Object.keys(r.answers).map(Number));
      expect(op!.requestBody !== undefined).toBe(r.body !== undefined);
      expect(op!.parameters?.filter((p) => p.in === "path").map((p) => p.name) ?? []).toEqual([...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]));
    }
    expect(JSON.stringify(doc)).not.toContain('"$ref"');
  });
});

describe("a served app answers as the REST reference says", () => {
  let served: ServedApp;
  beforeAll(async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
  });
  afterAll(async () => {
    await served?.stop();
  });
  const get = (path: string) => fetch(`${served.url}${path}`);
  const post = (path: string, body: unknown, type = "application/json") =>
    fetch(`${served.url}${path}`, { method: "POST", headers: { "content-type": type }, body: typeof body === "string" ? body : JSON.stringify(body) });

  it.each(["/api/v1/state", "/api/v1/status", "/api/v1/layout", "/api/v1/commands", "/api/v1/logs"])("GET %s", async (path) => {
    await expectDocumented(route("get", path), await get(path));
  });

  it("POST /api/v1/delta: applied, refused, not JSON", async () => {
    const r = route("post", "/api/v1/delta");
    const ok = await post("/api/v1/delta", { patch: [{ op: "replace", path: "/components/root/vars/requests", value: [{ name: "a" }] }] });
    expect(await expectDocumented(r, ok)).toMatchObject({ ok: true });
    const bad = await post("/api/v1/delta", { patch: [{ op: "explode", path: "/x" }] });
    expect(bad.status).toBe(400);
    await expectDocumented(r, bad);
    const text = await post("/api/v1/delta", "patch", "text/plain");
    expect(text.status).toBe(415);
    expect(ErrorSchema.safeParse(await text.json()).success).toBe(true);
  });

  it("POST /api/v1/commands/:name: a result, bad arguments, no such command", async () => {
    const r = route("post", "/api/v1/commands/:name");
    expect(await expectDocumented(r, await post("/api/v1/commands/count", {}))).toEqual({ result: 1 });
    expect((await post("/api/v1/commands/clear", { keep: -1 })).status).toBe(400);
    const unknown = await post("/api/v1/commands/explode", {});
    expect(unknown.status).toBe(404);
    await expectDocumented(r, unknown);
  });

  it("GET /api/v1/events is a stream of server-sent events", async () => {
    const abort = new AbortController();
    const response = await fetch(`${served.url}/api/v1/events`, { signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain(route("get", "/api/v1/events").answers[200]!.contentType);
    abort.abort();
  });
});
