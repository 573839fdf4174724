/**
 * Running an app's commands from another process: what `lit <command> --key value`
 * calls. Finds the app through its discovery file, reads `--key value` pairs
 * with the types of the command's schema, and prints nothing itself.
 */
import type { CommandInfo } from "./command-routes.ts";
import { findRunningApps, type RunningApp } from "./discovery.ts";
import { AppNotFoundError, CommandArgsError, RemoteError } from "./errors.ts";

/** What `GET /api/v1/commands` answers. */
export interface CommandListing {
  commands: CommandInfo[];
}

async function call(appUrl: string, path: string, init: RequestInit, token: string | undefined): Promise<unknown> {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  let response: Response;
  try {
    response = await fetch(new URL(path, appUrl), { ...init, headers });
  } catch (error) {
    throw new AppNotFoundError(`cannot reach the app at ${appUrl}: ${(error as Error).message}. Is it still running (lit status)?`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new RemoteError(response.status, err?.message ?? `the app answered ${response.status}: ${text.slice(0, 200)}`, err?.code);
  }
  return body;
}

/** The commands a running app declares. */
export async function listCommands(appUrl: string, token?: string): Promise<CommandInfo[]> {
  return ((await call(appUrl, "/api/v1/commands", {}, token)) as CommandListing).commands;
}

/**
 * Runs a command of a running app and returns what its handler returned.
 * @throws RemoteError with the app's message (unknown command, invalid arguments, the handler's error).
 * @example
 * await runCommand("http://127.0.0.1:7501", "add-notebook", { username: "alice", useGpu: true });
 */
export async function runCommand(appUrl: string, name: string, args: Record<string, unknown> = {}, token?: string): Promise<unknown> {
  const body = await call(
    appUrl,
    `/api/v1/commands/${encodeURIComponent(name)}`,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(args) },
    token,
  );
  return (body as { result: unknown }).result;
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  additionalProperties?: boolean | Schema;
  default?: unknown;
};

function typeOf(schema: Schema | undefined): string | undefined {
  const t = schema?.type;
  return Array.isArray(t) ? t.find((x) => x !== "null") : t;
}

function coerce(key: string, value: string, schema: Schema | undefined): unknown {
  switch (typeOf(schema)) {
    case "number":
    case "integer": {
      const n = Number(value);
      if (value.trim() === "" || Number.isNaN(n)) throw new CommandArgsError(`--${key} must be a number, got "${value}".`);
      return n;
    }
    case "boolean":
      if (/^(true|1|yes)$/i.test(value)) return true;
      if (/^(false|0|no)$/i.test(value)) return false;
      throw new CommandArgsError(`--${key} must be true or false, got "${value}".`);
    case "object":
      try {
        return JSON.parse(value);
      } catch {
        throw new CommandArgsError(`--${key} must be a JSON object, e.g. --${key} '{"a":1}'.`);
      }
    default:
      return value;
  }
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);

/** The flags a command takes, for messages: `--username <string> (required), --use-gpu, ...`. */
export function describeFlags(schema: unknown): string {
  const { properties = {}, required = [] } = (schema as Schema | undefined) ?? {};
  const flags = Object.entries(properties).map(([key, prop]) => {
    const type = typeOf(prop);
    const value = type === "boolean" ? "" : type === "array" ? ` <${typeOf(prop.items) ?? "value"}> (repeatable)` : ` <${type === "integer" ? "number" : type === "object" ? "JSON" : (type ?? "value")}>`;
    // zod lists a field with a default as required (of its output): the command line may leave it out.
    return `--${kebab(key)}${value}${required.includes(key) && !("default" in prop) ? " (required)" : ""}`;
  });
  return flags.length ? flags.join(", ") : "none";
}

/** Whether the schema names every key its object may have (zod's objects do: `additionalProperties: false`). */
function closed(schema: Schema | undefined): boolean {
  return schema?.properties !== undefined && (schema.additionalProperties === undefined || schema.additionalProperties === false);
}

/**
 * Reads `--key value`, `--key=value`, `--flag` and `--no-flag` into an object,
 * typed by the command's argument schema (JSON Schema from `listCommands`):
 * numbers, booleans, JSON objects, and arrays from repeated keys. A flag the
 * schema does not name is an error that lists the flags it does.
 * @param command the command's name, for messages.
 * @throws CommandArgsError saying which argument is wrong.
 */
export function parseCommandArgv(argv: readonly string[], schema?: unknown, command?: string): Record<string, unknown> {
  const props = (schema as Schema | undefined)?.properties ?? {};
  const unknownFlag = (flag: string) =>
    new CommandArgsError(
      `${command ? `the command "${command}" has no flag` : "no flag"} ${flag}. Its flags: ${describeFlags(schema)}.`,
    );
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--") || arg === "--") throw new CommandArgsError(`unexpected argument "${arg}": give arguments as --key value.`);
    let key = arg.slice(2);
    let value: string | undefined;
    const eq = key.indexOf("=");
    if (eq !== -1) {
      value = key.slice(eq + 1);
      key = key.slice(0, eq);
    }
    const camel = key.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
    if (!Object.hasOwn(props, key) && Object.hasOwn(props, camel)) key = camel;
    let prop = props[key];
    if (value === undefined) {
      const negated = key.startsWith("no-") ? [key.slice(3), camel.slice(2, 3).toLowerCase() + camel.slice(3)].find((k) => typeOf(props[k]) === "boolean") : undefined;
      if (negated !== undefined) {
        out[negated] = false;
        continue;
      }
    }
    if (closed(schema as Schema | undefined) && !Object.hasOwn(props, key)) throw unknownFlag(arg.split("=")[0]!);
    if (value === undefined) {
      const next = argv[i + 1];
      if (typeOf(prop) === "boolean" || next === undefined || next.startsWith("--")) {
        if (typeOf(prop) === "boolean" && next !== undefined && /^(true|false)$/i.test(next)) value = argv[++i]!;
        else {
          out[key] = true;
          continue;
        }
      } else value = argv[++i]!;
    }
    if (typeOf(prop) === "array") {
      const list = (out[key] as unknown[] | undefined) ?? [];
      list.push(coerce(key, value, prop?.items));
      out[key] = list;
    } else {
      out[key] = coerce(key, value, prop);
    }
  }
  return out;
}

/** Picks the running app a command goes to: the one named, else the only (or newest) one. */
export async function pickApp(name?: string, dir?: string): Promise<RunningApp> {
  const apps = await findRunningApps(dir);
  if (name) {
    const app = apps.find((a) => a.name === name || String(a.pid) === name || String(a.port) === name);
    if (!app) {
      throw new AppNotFoundError(
        `no running app "${name}" on this machine. ${apps.length ? `Running: ${apps.map((a) => `${a.name} (${a.url})`).join(", ")}.` : "None is running: start one with lit run app.ts."}`,
      );
    }
    return app;
  }
  const app = apps[0];
  if (!app) throw new AppNotFoundError("no app is running on this machine: start one with `lit run app.ts`, then run the command again.");
  return app;
}

/**
 * `lit <name> --key value`: finds the app, reads the arguments with the
 * command's schema, runs it and returns its result.
 * @param options.app the app's name, pid or port when several run.
 */
export async function runCliCommand(name: string, argv: readonly string[], options: { app?: string; dir?: string } = {}): Promise<unknown> {
  if (options.app) {
    const app = await pickApp(options.app, options.dir);
    const info = (await listCommands(app.url, app.token)).find((c) => c.name === name);
    if (!info) throw noCommand(name, [app]);
    return runCommand(app.url, name, parseCommandArgv(argv, info.args, name), app.token);
  }
  // Without --app: the running app that declares this command; several are ambiguous.
  const apps = await findRunningApps(options.dir);
  if (apps.length === 0) throw new AppNotFoundError("no app is running on this machine: start one with `lit run app.ts`, then run the command again.");
  const offering: { app: RunningApp; info: CommandInfo }[] = [];
  for (const app of apps) {
    const commands = await listCommands(app.url, app.token).catch(() => [] as CommandInfo[]);
    const info = commands.find((c) => c.name === name);
    if (info) offering.push({ app, info });
  }
  if (offering.length === 0) throw noCommand(name, apps);
  if (offering.length > 1) {
    throw new AppNotFoundError(
      `several running apps declare "${name}": ${offering.map((o) => `${o.app.name} (port ${o.app.port})`).join(", ")}. Choose one with --app <name or port>.`,
    );
  }
  const { app, info } = offering[0]!;
  return runCommand(app.url, name, parseCommandArgv(argv, info.args, name), app.token);
}

function noCommand(name: string, apps: readonly RunningApp[]): RemoteError {
  const listed = apps.map((a) => `${a.name} (${a.url})`).join(", ");
  return new RemoteError(404, `no running app declares the command "${name}" (running: ${listed}). Run "lit --help" for the lit command's own commands.`, "E_NO_COMMAND");
}
