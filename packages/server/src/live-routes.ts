/**
 * Live state for clients: `GET /api/v1/ws` (a WebSocket), `GET /api/v1/events`
 * (server-sent events, for clients without WebSockets) and `GET /api/v1/logs`.
 * Both streams send `{type:"state"}` first, then `{type:"patch", seq, ops}` for
 * each change; with `?logs=1` also `{type:"log"}` lines.
 *
 * What waits for each client is bounded (`maxBuffer` bytes beyond the first
 * state): a client that reads more slowly than the app changes is dropped, and
 * gets the whole state again when it reconnects (as the browser client does).
 */
import type { Context, Hono } from "hono";
import type { WSContext } from "hono/ws";
import type { ServeAdapter } from "./adapters/types.ts";
import { eventStream } from "./event-stream.ts";
import { matches, type LiveFeed } from "./feed.ts";

/** The close code of a WebSocket dropped for reading too slowly. */
export const SLOW_CLIENT_CLOSE = 4008;

/** What the live routes need from the server. */
export interface LiveOptions {
  adapter: ServeAdapter;
  /** Closers of live connections, run when the server closes. */
  closers: Set<() => void>;
  /** Bytes that may wait for one client beyond its first state before it is dropped. */
  maxBuffer: number;
}

/** Adds the live routes. */
export function liveRoutes(app: Hono<any>, feed: LiveFeed, options: LiveOptions): void {
  const { adapter, closers, maxBuffer } = options;
  app.get(
    "/api/v1/ws",
    adapter.upgradeWebSocket((c: Context) => {
      const withLogs = c.req.query("logs") === "1";
      const component = c.req.query("component") || undefined;
      let stop: (() => void) | undefined;
      return {
        onOpen(_event: Event, ws: WSContext) {
          ws.send(JSON.stringify(feed.snapshot()));
          if (withLogs) for (const log of feed.logsSince(0, component)) ws.send(JSON.stringify({ type: "log", log }));
          const bound = maxBuffer + adapter.bufferedAmount(ws);
          const send = (json: string) => {
            if (ws.readyState !== 1) return;
            const queued = adapter.bufferedAmount(ws);
            if (queued <= bound) return ws.send(json);
            stop?.();
            adapter.terminate(ws, SLOW_CLIENT_CLOSE, `too slow: ${queued} bytes were waiting; reconnect for the state`);
          };
          const offs = [feed.onPatches((_m, json) => send(json))];
          if (withLogs) offs.push(feed.onLogs((m, json) => m.type === "log" && matches(m.log.component, component) && send(json)));
          const closeSocket = () => ws.close(1001, "the app server is closing");
          closers.add(closeSocket);
          stop = () => {
            for (const off of offs) off();
            closers.delete(closeSocket);
          };
        },
        onClose() {
          stop?.();
        },
        onError() {
          stop?.();
        },
      };
    }),
  );

  const stream = { adapter, closers, maxBuffer };
  app.get("/api/v1/events", (c) => {
    const withLogs = c.req.query("logs") === "1";
    const component = c.req.query("component") || undefined;
    return eventStream(c, (push) => {
      push(JSON.stringify(feed.snapshot()));
      const offs = [feed.onPatches((_m, json) => push(json))];
      if (withLogs) {
        for (const log of feed.logsSince(0, component)) push(JSON.stringify({ type: "log", log }));
        offs.push(feed.onLogs((m, json) => m.type === "log" && matches(m.log.component, component) && push(json)));
      }
      return () => offs.forEach((off) => off());
    }, stream);
  });

  app.get("/api/v1/logs", (c) => {
    const component = c.req.query("component") || undefined;
    const since = Number(c.req.query("since") ?? 0) || 0;
    const limit = Math.min(Number(c.req.query("limit") ?? 1000) || 1000, 5000);
    if (c.req.query("follow") !== "1") {
      const logs = feed.logsSince(since, component, limit);
      return c.json({ logs, last: logs.at(-1)?.seq ?? since });
    }
    return eventStream(c, (push) => {
      for (const log of feed.logsSince(since, component, limit)) push(JSON.stringify({ type: "log", log }));
      return feed.onLogs((m, json) => m.type === "log" && matches(m.log.component, component) && push(json));
    }, stream);
  });
}
