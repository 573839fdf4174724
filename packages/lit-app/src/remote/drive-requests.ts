/**
 * The Drive requests of an app's works on one host, taken from its agent
 * (`GET /v1/drives/next`, a long poll through the host's SSH connection) and
 * done at the app's {@link DriveAuthority}; each answer is posted back
 * (`POST /v1/drives/reply`). A failed poll (the link is down) is tried again
 * with backoff until {@link DriveRequests.close}.
 */
import { driveOutcome, drivePoll, MAX_REPLY_BYTES, type DriveOperation, type DriveOutcome } from "@lit-app/gpu-agent/drives";
import { agentRequest } from "./agent-request.ts";
import { doDriveOperation, driveFailure, type DriveAuthority } from "./drive-authority.ts";
import type { RelayHost } from "./path-relay.ts";

/** The host whose works' Drive requests are taken. */
export interface DriveRequestsHost {
  /** The host as the Path relay reaches it. */
  relay: RelayHost;
  /** The agent's HTTP base URL here and its token (asked again after a failure). */
  agent(): Promise<{ url: string; token: string }>;
  /** The app's storage folder in the agent's storage root (`apps/<name>`). */
  appDir(): Promise<string>;
}

/** Taking one host's Drive requests; stop with {@link close}. */
export interface DriveRequests {
  /**
   * Settles after the first poll the agent answered (or once closed): from then on the agent
   * knows the app's Drives are served here, and hands its works' operations on
   * rather than letting them keep Drives on the host. Start works after it.
   */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** The longest a poll waits at the agent, ms: under Bun.serve's idle timeout (10 s), which closes a quiet request. */
const POLL_MS = 8_000;
const MAX_POLL_BYTES = 4 * 2 ** 20;

/** Takes the Drive requests of the app's works on `host` and does them at `authority` until closed. */
export function serveDriveRequests(host: DriveRequestsHost, authority: DriveAuthority, log?: (line: string) => void): DriveRequests {
  const stop = new AbortController();
  const underway = new Set<Promise<void>>();

  const answer = async (agent: { url: string; token: string }, id: string, operation: DriveOperation) => {
    let outcome: DriveOutcome;
    try {
      const names = await doDriveOperation(operation, host.relay, authority);
      outcome = names === undefined ? { ok: true } : { ok: true, names };
    } catch (error) {
      outcome = { ok: false, error: driveFailure(error) };
    }
    let body: unknown = { id, outcome: driveOutcome.parse(outcome) };
    if (new TextEncoder().encode(JSON.stringify(body)).byteLength > MAX_REPLY_BYTES) {
      const message = `the answer to ${operation.work ?? "a work"}'s ${operation.op} on the Drive lit://${operation.drive.id} is larger than ${MAX_REPLY_BYTES} bytes; list fewer names at once (a longer prefix).`;
      body = { id, outcome: { ok: false, error: { name: "DriveError", code: "E_DRIVE", message } } };
    }
    for (let attempt = 0; attempt < 3 && !stop.signal.aborted; attempt++) {
      try {
        const to = attempt === 0 ? agent : await host.agent();
        await agentRequest(to, host.relay.alias, "POST", "/v1/drives/reply", body, { signal: stop.signal });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      }
    }
    log?.(`[lit-app] the answer to a Drive request (lit://${operation.drive.id}) of ${operation.work ?? "a work"} on ${host.relay.alias} could not be sent; the work's request fails when the agent stops waiting.`);
  };

  let first: () => void = () => {};
  const ready = new Promise<void>((resolve) => (first = resolve));
  const loop = async () => {
    const appDir = await host.appDir();
    let backoff = 0;
    for (let polls = 0; !stop.signal.aborted; polls++) {
      try {
        const agent = await host.agent();
        // The first poll returns at once: it tells the agent that this app's Drives are served here.
        const waitMs = polls === 0 ? 0 : POLL_MS;
        const polled = await agentRequest(agent, host.relay.alias, "GET", `/v1/drives/next?app=${encodeURIComponent(appDir)}&waitMs=${waitMs}`, undefined, { signal: stop.signal, maxBytes: MAX_POLL_BYTES });
        const { requests } = drivePoll.parse(polled);
        first();
        backoff = 0;
        for (const { id, operation } of requests) {
          const done = answer(agent, id, operation).finally(() => underway.delete(done));
          underway.add(done);
        }
      } catch (error) {
        if (stop.signal.aborted) break;
        backoff = Math.min(10_000, backoff === 0 ? 500 : backoff * 2);
        if (backoff === 10_000) log?.(`[lit-app] Drive requests of works on ${host.relay.alias} cannot be taken: ${error instanceof Error ? error.message : String(error)}; trying again.`);
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  };
  const running = loop()
    .catch(() => undefined)
    .finally(() => first());

  return {
    ready,
    async close() {
      stop.abort();
      await running;
    },
  };
}
