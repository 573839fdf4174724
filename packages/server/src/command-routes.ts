/**
 * The commands flows declare in `configureCommands()`:
 * `GET /api/v1/commands` lists them (arguments as JSON Schema, so a client can
 * read `--key value` pairs right), `POST /api/v1/commands/<name>` runs one with
 * a JSON object of arguments and answers `{ result }`.
 */
import type { Command } from "@lit-app/core";
import type { AppEngine } from "@lit-app/core/internal";
import type { Hono } from "hono";
import { z } from "zod/mini";
import { RouteConfigError } from "./errors.ts";
import { bindHandler, callHandler, flowsOf, type BoundHandler } from "./handlers.ts";
import { BadRequest, errorResponse, readJson, validate } from "./responses.ts";
import { limitBody } from "./state-routes.ts";

/** What `GET /api/v1/commands` says about one command. */
export interface CommandInfo {
  name: string;
  flow: string;
  description?: string;
  /** The arguments' JSON Schema, when the command has a zod schema. */
  args?: unknown;
}

interface Served {
  command: Command<any>;
  handler: BoundHandler;
  info: CommandInfo;
}

function jsonSchema(schema: z.core.$ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { unrepresentable: "any" });
  } catch {
    return undefined;
  }
}

/**
 * Reads every flow's commands and adds the command routes. Arguments are
 * bounded like state: a body over `maxBodySize` is 413, one nesting deeper
 * than the app's `limits.maxDepth` is 400, and what the handler stores is held
 * to the app's limits (413 when it would pass `maxStateBytes`).
 */
export function commandRoutes(app: Hono<any>, engine: AppEngine, maxBodySize: number): CommandInfo[] {
  const commands = new Map<string, Served>();
  for (const flow of flowsOf(engine)) {
    const list = flow.configureCommands() ?? [];
    if (!Array.isArray(list)) {
      throw new RouteConfigError("E_SERVER_COMMAND", `${flow.name}.configureCommands() must return a list such as [new L.Command("add", this.add)].`);
    }
    for (const command of list) {
      const other = commands.get(command.name);
      if (other) {
        throw new RouteConfigError("E_SERVER_COMMAND", `the command "${command.name}" is declared by ${other.info.flow} and ${flow.name}; rename one of them.`);
      }
      const info: CommandInfo = { name: command.name, flow: flow.name };
      if (command.description) info.description = command.description;
      if (command.args) info.args = jsonSchema(command.args);
      commands.set(command.name, { command, handler: bindHandler(flow, command.handler), info });
    }
  }

  app.get("/api/v1/commands", (c) => c.json({ commands: [...commands.values()].map((s) => s.info) }));

  app.post("/api/v1/commands/:name", limitBody(maxBodySize), async (c) => {
    const name = c.req.param("name");
    try {
      const served = commands.get(name);
      if (!served) {
        const known = [...commands.keys()];
        throw new BadRequest(
          `this app has no command "${name}". ${known.length ? `Its commands: ${known.join(", ")}.` : "It declares no commands (configureCommands())."}`,
          "E_NO_COMMAND",
          404,
        );
      }
      const raw = (await readJson(c, `command ${name}`, engine.limits.maxDepth)) ?? {};
      const args = served.command.args ? validate(served.command.args, raw, `arguments of the command "${name}"`) : raw;
      const result = await callHandler(engine, served.handler, [args]);
      return c.json({ result: result === undefined ? null : result });
    } catch (error) {
      return errorResponse(c, error);
    }
  });

  return [...commands.values()].map((s) => s.info);
}
