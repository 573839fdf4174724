/**
 * Who may talk to the app server. Without a token (loopback only) requests
 * must name a loopback host, which stops DNS-rebinding pages. With a token
 * every request carries it: `Authorization: Bearer <token>`, `?token=` (the
 * browser and WebSockets), or the cookie set when a page was opened with
 * `?token=`. State-changing requests and WebSocket upgrades from another
 * origin are refused; no CORS header is ever sent.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";

/** How requests are checked. */
export interface AuthConfig {
  /** The token every request must carry, when set. */
  token: string | undefined;
  /** The bound port, once listening: the cookie's name carries it (cookies do not tell ports apart). */
  port: () => number;
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** True when `address` is a loopback address or name. */
export function isLoopback(address: string): boolean {
  const host = address.toLowerCase();
  return LOOPBACK_NAMES.has(host) || /^127(\.\d{1,3}){3}$/.test(host) || host.endsWith(".localhost");
}

/** The name of the cookie holding the token of the server on `port`. */
export function tokenCookie(port: number): string {
  return `lit_token_${port}`;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined || given.length !== token.length) return false;
  let diff = 0;
  for (let i = 0; i < token.length; i++) diff |= given.charCodeAt(i) ^ token.charCodeAt(i);
  return diff === 0;
}

function hostnameOf(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}

function deny(c: Context, status: 401 | 403, code: string, message: string): Response {
  return c.json({ error: { code, message } }, status);
}

/** The middleware that checks every request. */
export function authMiddleware(config: AuthConfig): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host") ?? "";
    const origin = c.req.header("origin");
    const mutating = !["GET", "HEAD", "OPTIONS"].includes(c.req.method) || c.req.header("upgrade")?.toLowerCase() === "websocket";
    if (mutating && origin !== undefined && origin !== "null") {
      let originHost = "";
      try {
        originHost = new URL(origin).host;
      } catch {}
      if (originHost !== host) {
        return deny(c, 403, "E_ORIGIN", `requests from ${origin} are refused: only pages served by this app (${host}) may change it.`);
      }
    } else if (mutating && origin === "null") {
      return deny(c, 403, "E_ORIGIN", "requests from an opaque origin are refused.");
    }
    const token = config.token;
    if (!token) {
      if (!isLoopback(hostnameOf(host))) {
        return deny(c, 403, "E_HOST", `the Host "${host}" is refused: this app listens on loopback only; open it as http://127.0.0.1:${config.port()}/.`);
      }
      return next();
    }
    const cookieName = tokenCookie(config.port());
    const bearer = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
    const query = c.req.query("token");
    if (sameToken(bearer, token) || sameToken(getCookie(c, cookieName), token)) return next();
    if (sameToken(query, token)) {
      await next();
      if (c.req.method === "GET" && !c.req.path.startsWith("/api/")) {
        setCookie(c, cookieName, token, { httpOnly: true, sameSite: "Strict", path: "/" });
      }
      return;
    }
    return deny(
      c,
      401,
      "E_TOKEN",
      "this app needs its token: send the header 'Authorization: Bearer <token>' or open the UI with ?token=<token> (printed when the app started, and in ~/.lit/apps).",
    );
  };
}
