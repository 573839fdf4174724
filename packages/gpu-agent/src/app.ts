/**
 * The agent's Hono app: bearer-token auth on every route, JSON errors, and the
 * routes of each module mounted on it.
 *
 * ## Adding routes (the works side, storage, ...)
 * A module is a function that adds its routes to the app; pass it in
 * `options.mount` (or, for the running agent, list it in `src/modules.ts`):
 * @example
 * export const mountWorks: AgentMount = (app, ctx) => {
 *   app.post("/v1/works", async (c) => {
 *     const body = await readJsonBody(c, startWorkSchema, { maxBytes: 256 * 1024 });
 *     const { env } = await ctx.gpuPool.acquire(body.name, gpuCount(body.compute));
 *     return c.json({ ok: true });
 *   });
 *   app.get("/v1/channel", ctx.upgradeWebSocket(() => ({ onMessage(event, ws) {} })));
 * };
 * createAgentApp({ ...options, mount: [mountWorks] });
 * Routes are under `/v1/`; every one, WebSocket upgrades included, is reached
 * only with `Authorization: Bearer <token>` (the middleware runs first); a
 * WebSocket upgrade may carry the token as a subprotocol instead (see
 * request-token.ts), which a client without headers (Deno's, a browser's) can. Throw
 * an {@link AgentHttpError} to answer `{ error: { code, message } }`; any other
 * error answers 500 `E_INTERNAL`.
 */
import { Hono } from "hono";
import type { UpgradeWebSocket } from "hono/ws";
import type { AgentInfo } from "./agent-info.ts";
import type { GpuPool } from "./gpu/gpu-pool.ts";
import type { GpuInventory } from "./gpu/inventory.ts";
import { hostReport } from "./host-report.ts";
import { AgentHttpError, errorResponse } from "./http-errors.ts";
import { requestToken } from "./request-token.ts";
import { tokenMatches } from "./token.ts";
import { EMPTY_WORK_TABLE, type WorkTable } from "./work-table.ts";

/** What a module's routes may use. */
export interface AgentContext {
  /** The lit home (`~/.lit`). */
  home: string;
  /** The host's name as users know it (for messages such as "waiting for a GPU on gpu-box"). */
  hostName: string;
  /** The running agent (its port is known once it listens). */
  agent: Omit<AgentInfo, "port">;
  /** The host's GPUs and their assignments. */
  gpuPool: GpuPool;
  /** Where the GPU list came from. */
  inventory: GpuInventory;
  /** The running works, for the host report. */
  workTable: WorkTable;
  /** The runtime's WebSocket upgrade helper (Node and Bun). */
  upgradeWebSocket: UpgradeWebSocket<any>;
}

/** A module's routes: adds them to `app`. */
export type AgentMount = (app: Hono, ctx: AgentContext) => void;

/** Options of {@link createAgentApp}. */
export interface AgentAppOptions extends Omit<AgentContext, "workTable" | "upgradeWebSocket"> {
  /** The bearer token every request must carry. */
  token: string;
  /** The running works (default: none). */
  workTable?: WorkTable;
  /** The runtime's WebSocket upgrade helper (from the serve adapter); routes that upgrade need it. */
  upgradeWebSocket?: UpgradeWebSocket<any>;
  /** The modules whose routes are mounted, in order, after the built-in ones. */
  mount?: AgentMount[];
}

const noUpgrade = (() => async () => {
  throw new AgentHttpError(501, "E_NO_WEBSOCKET", "this agent was made without a WebSocket adapter.");
}) as unknown as UpgradeWebSocket<any>;

/**
 * Makes the agent's app: every route requires `Authorization: Bearer <token>`,
 * or on a WebSocket upgrade the subprotocols `lit-agent.v1, lit-token.<token>`
 * (401 `E_UNAUTHORIZED` otherwise, compared in constant time); built in is
 * `GET /v1/host` (the {@link HostReport}); `options.mount` adds the rest.
 */
export function createAgentApp(options: AgentAppOptions): Hono {
  const ctx: AgentContext = {
    home: options.home,
    hostName: options.hostName,
    agent: options.agent,
    gpuPool: options.gpuPool,
    inventory: options.inventory,
    workTable: options.workTable ?? EMPTY_WORK_TABLE,
    upgradeWebSocket: options.upgradeWebSocket ?? noUpgrade,
  };
  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof AgentHttpError) return errorResponse(c, error.status, error.code, error.message);
    return errorResponse(c, 500, "E_INTERNAL", `the agent failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  app.notFound((c) => errorResponse(c, 404, "E_NOT_FOUND", `no route ${c.req.method} ${c.req.path} on this agent (version ${options.agent.version}).`));
  app.use("*", async (c, next) => {
    const given = requestToken((name) => c.req.header(name));
    if (given.kind !== "token") {
      const why = given.kind === "malformed" ? `${given.why}; ` : "";
      return errorResponse(c, 401, "E_UNAUTHORIZED", `${why}this agent requires \`Authorization: Bearer <token>\` (a WebSocket may offer the subprotocols \`lit-agent.v1, lit-token.<token>\` instead); the token is in ~/.lit/agent/token on the host.`);
    }
    if (!tokenMatches(given.token, options.token)) {
      return errorResponse(c, 401, "E_UNAUTHORIZED", "wrong token for this agent; read it again from ~/.lit/agent/token on the host (it is made once per lit home).");
    }
    await next();
  });
  app.get("/v1/host", async (c) => c.json(await hostReport(ctx)));
  for (const mount of options.mount ?? []) mount(app, ctx);
  return app;
}
