/**
 * Starts the app server of a running app: its state API, live stream, layout,
 * configureApi routes, commands, the browser client and the UI.
 */
import type { AppEngine } from "@lit-app/core/internal";
import { Hono } from "hono";
import { createAdapter } from "./adapters/runtime.ts";
import type { Listening } from "./adapters/types.ts";
import { authMiddleware, isLoopback } from "./auth.ts";
import { commandRoutes, type CommandInfo } from "./command-routes.ts";
import { registerApp, unregisterApp } from "./discovery.ts";
import { PortInUseError, ServerOptionError } from "./errors.ts";
import { LiveFeed } from "./feed.ts";
import { liveRoutes } from "./live-routes.ts";
import { stateRoutes } from "./state-routes.ts";
import { uiRoutes } from "./ui-routes.ts";
import { userRoutes, type ServedRoute } from "./user-api.ts";

/** The default port of an app server. */
export const DEFAULT_PORT = 7501;

/** Options of {@link startAppServer}. */
export interface AppServerOptions {
  /** The port; default 7501. When taken, the next free one is used unless `strictPort`. 0 picks any free port. */
  port?: number;
  /** Fail instead of trying the next ports when `port` is taken. Default false. */
  strictPort?: boolean;
  /** The address to listen on; default `127.0.0.1`. Any non-loopback address requires a token. */
  listen?: string;
  /** The token every request must carry. Generated (and printed) when listening beyond loopback without one. */
  token?: string;
  /** The app's name in `lit` listings; default the LightningApp's name. */
  name?: string;
  /** The largest request body accepted, in bytes; default 1 MiB. */
  maxBodySize?: number;
  /**
   * The bytes that may wait for one live client (WebSocket or server-sent events) beyond the state it was
   * first sent; a client that reads more slowly is dropped and gets the state anew when it reconnects.
   * Default 4 MiB.
   */
  maxClientBuffer?: number;
  /** Write the discovery file `<lit home>/apps/<pid>-<port>.json` so `lit` commands find the app. Default true. */
  register?: boolean;
  /** Where a generated token is printed; default `console.log`. */
  print?: (line: string) => void;
  /** A folder holding the UI's files (`ui/`, `client/`, as writeUiAssets writes them); default this package's own (a bundled server has none beside it). */
  assetsDir?: string;
}

/** A running app server. */
export interface AppServer {
  /** Where to reach it from this machine, e.g. `http://127.0.0.1:7501`. */
  readonly url: string;
  readonly port: number;
  /** The address it listens on. */
  readonly listen: string;
  /** The token requests must carry, when there is one. */
  readonly token: string | undefined;
  /** The routes served from flows' `configureApi()`. */
  readonly routes: readonly ServedRoute[];
  /** The commands served from flows' `configureCommands()`. */
  readonly commands: readonly CommandInfo[];
  /**
   * Resolves once the discovery file is written (at once with `register: false`), so that `lit` commands
   * find the app; rejects with the error when it could not be written. The server serves before this.
   */
  readonly registered: Promise<void>;
  /** Stops serving, closes live connections and removes the discovery file. */
  close(): Promise<void>;
}

function hostForUrl(listen: string): string {
  if (listen === "0.0.0.0" || listen === "::" || listen === "[::]") return "127.0.0.1";
  return listen.includes(":") && !listen.startsWith("[") ? `[${listen}]` : listen;
}

const LISTEN_HINT = "Listen on 127.0.0.1 (this machine only, the default), 0.0.0.0 (every interface) or one of this machine's own addresses.";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Whether `ip` is an IPv4 or IPv6 address (an IPv6 one with a zone, `fe80::1%eth0`, too), as node:net's
 * isIP says, without loading node:net: milliseconds on Bun, on the way to the app's first pass.
 */
function isIpAddress(ip: string): boolean {
  if (IPV4.test(ip)) return true;
  const [address = "", zone, ...more] = ip.split("%");
  if (more.length > 0 || zone === "" || !address.includes(":") || /[^0-9a-f:.]/i.test(address)) return false;
  // A lone ":" at either end (parsers differ on it): "::1" yes, "::1:" and ":1::" no.
  if (/(^|[^:]):$|^:(?!:)/.test(address)) return false;
  try {
    return new URL(`http://[${address}]/`).hostname !== "";
  } catch {
    return false;
  }
}

/** A `listen` value that cannot be an address: empty, with a port, a URL. */
function checkListen(listen: string): void {
  const ip = listen.startsWith("[") && listen.endsWith("]") ? listen.slice(1, -1) : listen;
  const hostname = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;
  if (isIpAddress(ip) || (ip === listen && hostname.test(listen))) return;
  const port = /^(.*):(\d+)$/.exec(listen);
  const hint = port && !port[1]!.includes(":") ? ` To choose the port, give it apart: --listen ${port[1]} --port ${port[2]}.` : ` ${LISTEN_HINT}`;
  throw new ServerOptionError("E_SERVER_LISTEN", `cannot listen on ${JSON.stringify(listen)}: it is not an address or a host name.${hint}`);
}

/** Why `listen:port` could not be bound, other than a taken port. Each runtime says it its own way. */
function bindError(error: unknown, listen: string, port: number): ServerOptionError {
  const detail = error instanceof Error ? error.message : String(error);
  const { code, name } = error as { code?: string; name?: string };
  if (code === "EACCES" || code === "EPERM" || name === "PermissionDenied" || /permission denied/i.test(detail)) {
    const low = port < 1024 ? " (ports below 1024 need privileges)" : "";
    return new ServerOptionError("E_SERVER_LISTEN", `cannot listen on ${listen}:${port} (${detail}): this user may not use that port${low}. Choose another one (--port).`, { cause: error });
  }
  // ENOTFOUND, EADDRNOTAVAIL, EINVAL, "os error 99": the address is not one of this machine's.
  return new ServerOptionError("E_SERVER_LISTEN", `cannot listen on ${JSON.stringify(listen)} (${detail}): it is not an address of this machine. ${LISTEN_HINT}`, { cause: error });
}

async function bind(adapter: Awaited<ReturnType<typeof createAdapter>>, fetch: (r: Request) => Response | Promise<Response>, listen: string, port: number, strict: boolean): Promise<Listening> {
  const tries = strict || port === 0 ? 1 : 100;
  let last: unknown;
  for (let p = port; p < port + tries && p <= 65535; p++) {
    try {
      return await adapter.listen(fetch, listen, p);
    } catch (error) {
      if ((error as { code?: string }).code !== "EADDRINUSE") throw bindError(error, listen, p);
      last = error;
    }
  }
  throw new PortInUseError(
    strict || tries === 1
      ? `port ${port} on ${listen} is taken; stop what uses it or choose another port (--port).`
      : `ports ${port}-${port + tries - 1} on ${listen} are all taken; choose another port (--port).`,
    last,
  );
}

/**
 * Serves a running app.
 * @example
 * const engine = new AppEngine(app, { executor, clock });
 * void engine.start();
 * const server = await startAppServer(engine, { port: 7501 });
 * console.log(`UI: ${server.url}`);
 * await engine.done;
 * await server.close();
 */
export async function startAppServer(engine: AppEngine, options: AppServerOptions = {}): Promise<AppServer> {
  const listen = options.listen ?? "127.0.0.1";
  checkListen(listen);
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ServerOptionError("E_SERVER_LISTEN", `the port must be an integer from 0 to 65535, got ${JSON.stringify(options.port)}.`);
  }
  if (options.token !== undefined && (typeof options.token !== "string" || options.token.length < 16 || /\s/.test(options.token))) {
    throw new ServerOptionError("E_SERVER_TOKEN", "the token must be a string of at least 16 characters without spaces; leave it out to have one generated.");
  }
  let token = options.token;
  const generated = token === undefined && !isLoopback(listen);
  // Web Crypto: node:crypto takes milliseconds to load on Bun, on the way to the app's first pass.
  if (generated) token = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
  const maxBodySize = options.maxBodySize ?? 1024 * 1024;

  let boundPort = port;
  const app = new Hono();
  const adapter = await createAdapter(app);
  const feed = new LiveFeed(engine);
  const closers = new Set<() => void>();
  app.use("*", authMiddleware({ token, port: () => boundPort }));
  app.use("*", async (c, next) => {
    await next();
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "same-origin");
  });
  stateRoutes(app, engine, feed, maxBodySize);
  liveRoutes(app, feed, { adapter, closers, maxBuffer: options.maxClientBuffer ?? 4 * 1024 * 1024 });
  uiRoutes(app, engine, options.assetsDir);
  const commands = commandRoutes(app, engine, maxBodySize);
  const routes = userRoutes(app, engine, maxBodySize);
  app.notFound((c) => c.json({ error: { code: "E_NOT_FOUND", message: `no route ${c.req.method} ${c.req.path} on this app; see /api/v1/state and the routes of configureApi().` } }, 404));

  let listening: Listening;
  try {
    listening = await bind(adapter, app.fetch, listen, port, options.strictPort ?? false);
  } catch (error) {
    feed.close();
    throw error;
  }
  boundPort = listening.port;
  const url = `http://${hostForUrl(listen)}:${boundPort}`;
  if (generated) {
    (options.print ?? console.log)(`lit-app: the app server listens on ${listen}:${boundPort}; every request needs its token. Open ${url}/?token=${token}`);
  }
  let file: string | undefined;
  let closed: Promise<void> | undefined;
  const onExit = () => file && unregisterApp(file);
  let registered: Promise<void> = Promise.resolve();
  if (options.register ?? true) {
    // Written while the app starts (not on the way to its first pass); close() waits for it.
    const entry = { pid: process.pid, name: options.name ?? engine.app.name, url, port: boundPort, startedAt: Date.now(), cwd: process.cwd() };
    process.once("exit", onExit);
    registered = registerApp(token ? { ...entry, token } : entry).then((written) => {
      file = written;
      if (closed) unregisterApp(written);
    });
    // Whoever awaits `registered` sees the error; unawaited, it is no crash.
    registered.catch(() => undefined);
  }
  return {
    url,
    port: boundPort,
    listen,
    token,
    routes,
    commands,
    registered,
    close() {
      closed ??= (async () => {
        await registered.catch(() => undefined);
        if (file) unregisterApp(file);
        process.off("exit", onExit);
        for (const close of [...closers]) close();
        feed.close();
        await listening.close();
      })();
      return closed;
    },
  };
}
