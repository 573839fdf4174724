/**
 * Where a request to the agent carries its token. Every request may carry it
 * as `Authorization: Bearer <token>`. A WebSocket upgrade may instead carry it
 * in `Sec-WebSocket-Protocol`, the one header a browser-style WebSocket (Deno's,
 * a browser's) lets its caller set: the client offers exactly
 * `lit-agent.v1, lit-token.<token>`, in that order, and the server answers the
 * first, `lit-agent.v1` (the token is never echoed, and never put in a URL,
 * which logs keep).
 */

/** The subprotocol the agent's WebSockets speak, answered to a client that offers it. */
export const AGENT_SUBPROTOCOL = "lit-agent.v1";

const TOKEN_PREFIX = "lit-token.";
const BEARER = /^Bearer ([^\s]{1,512})$/;
/** A token as a subprotocol: an RFC 6455 token (the agent's tokens are base64url, which fits). */
const TOKEN_ENTRY = /^lit-token\.([A-Za-z0-9_-]{1,512})$/;
/** No more than this is read of the offered subprotocols. */
const MAX_PROTOCOLS_HEADER = 1024;

/**
 * The subprotocols that carry `token` on a WebSocket upgrade, for
 * `new WebSocket(url, subprotocolsFor(token))`.
 * @throws Error when `token` is not base64url (it could not be a subprotocol).
 */
export function subprotocolsFor(token: string): [string, string] {
  const entry = `${TOKEN_PREFIX}${token}`;
  if (!TOKEN_ENTRY.test(entry)) throw new Error("the agent's token must be base64url (1 to 512 characters) to travel as a WebSocket subprotocol; read it again from ~/.lit/agent/token on the host.");
  return [AGENT_SUBPROTOCOL, entry];
}

/** What a request says of its token. */
export type RequestToken =
  | { kind: "token"; token: string; via: "authorization" | "subprotocol" }
  | { kind: "missing" }
  | { kind: "malformed"; why: string };

/**
 * Reads the token a request carries (see the module's note): the
 * Authorization header when there is one, else, on a WebSocket upgrade, the
 * offered subprotocols. Does not check the token itself.
 */
export function requestToken(header: (name: string) => string | undefined): RequestToken {
  const authorization = header("authorization");
  if (authorization !== undefined) {
    const match = BEARER.exec(authorization);
    return match ? { kind: "token", token: match[1]!, via: "authorization" } : { kind: "malformed", why: "the Authorization header is not `Bearer <token>`" };
  }
  const offered = header("sec-websocket-protocol");
  if (offered === undefined || header("upgrade")?.toLowerCase() !== "websocket") return { kind: "missing" };
  if (offered.length > MAX_PROTOCOLS_HEADER) return { kind: "malformed", why: `the offered subprotocols are longer than ${MAX_PROTOCOLS_HEADER} characters` };
  const protocols = offered.split(",").map((p) => p.trim());
  const token = protocols.length === 2 && protocols[0] === AGENT_SUBPROTOCOL ? TOKEN_ENTRY.exec(protocols[1]!) : null;
  if (token === null) return { kind: "malformed", why: `a WebSocket carrying its token as a subprotocol offers exactly "${AGENT_SUBPROTOCOL}, ${TOKEN_PREFIX}<token>", in that order` };
  return { kind: "token", token: token[1]!, via: "subprotocol" };
}
