/**
 * Requests to a host's agent API (`/v1/...`, bearer token) from here: the
 * JSON answer, or an {@link AgentRequestError} with what the agent said.
 * Kept free of SSH so that the deployed flow program can use it too.
 */
/** An error the agent answered with (or an answer that was not JSON). */
export class AgentRequestError extends Error {
  readonly code: string;
  constructor(
    readonly alias: string,
    readonly status: number,
    code: string,
    /** What the agent said (without the host). */
    readonly said: string,
  ) {
    super(`${alias}: ${said}`);
    this.name = "AgentRequestError";
    this.code = code;
  }
}

/** Where an agent's HTTP API is reached from here, and its token. */
export interface AgentHttp {
  url: string;
  token: string;
}

/** Options of {@link agentRequest}. */
export interface AgentRequestOptions {
  signal?: AbortSignal;
  /** The longest answer taken (default 16 MiB). */
  maxBytes?: number;
}

const MAX_ANSWER = 16 << 20;

/**
 * A request to an agent's API at `agent`; resolves with its JSON answer.
 * @throws AgentRequestError when the agent answers with an error or no JSON
 */
export async function agentRequest<T>(agent: AgentHttp, alias: string, method: "GET" | "POST" | "DELETE", path: string, body?: unknown, options: AgentRequestOptions = {}): Promise<T> {
  const res = await fetch(`${agent.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${agent.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const limit = options.maxBytes ?? MAX_ANSWER;
  // Read up to the bound only (an answer larger than it is cancelled).
  const { readLimited } = await import("@lit-app/storage/http");
  const bytes = await readLimited(res.body, limit, () => new AgentRequestError(alias, res.status, "E_TOO_LARGE", `the agent's answer to ${method} ${path} is larger than ${limit} bytes`));
  const text = new TextDecoder().decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AgentRequestError(alias, res.status, "E_BAD_ANSWER", `the agent answered ${method} ${path} with ${res.status} and no JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof error?.code === "string" ? error.code : "E_AGENT";
    throw new AgentRequestError(alias, res.status, code, typeof error?.message === "string" ? error.message : `${method} ${path} answered ${res.status}`);
  }
  return json as T;
}
