/**
 * Live state for clients: `GET /api/v1/ws` (a WebSocket), `GET /api/v1/events`
 * (server-sent events, for clients without WebSockets) and `GET /api/v1/logs`.
 * Both streams send `{type:"state"}` first, then `{type:"patch", seq, ops}` for
 * each change; with `?logs=1` also `{type:"log"}` lines.
 */
import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { WSContext } from "hono/ws";
import type { ServeAdapter } from "./adapters/types.ts";
import { matches, type LiveFeed, type LiveMessage } from "./feed.ts";

/** Adds the live routes. */
export function liveRoutes(app: Hono<any>, feed: LiveFeed, adapter: ServeAdapter, closers: Set<() => void>): void {
  app.get(
    "/api/v1/ws",
    adapter.upgradeWebSocket((c: Context) => {
      const withLogs = c.req.query("logs") === "1";
      const component = c.req.query("component") || undefined;
      let stop: (() => void) | undefined;
      return {
        onOpen(_event: Event, ws: WSContext) {
          const send = (_m: LiveMessage, json: string) => {
            if (ws.readyState === 1) ws.send(json);
          };
          ws.send(JSON.stringify(feed.snapshot()));
          const offs = [feed.onPatches(send)];
          if (withLogs) {
            for (const log of feed.logsSince(0, component)) ws.send(JSON.stringify({ type: "log", log }));
            offs.push(feed.onLogs((m, json) => m.type === "log" && matches(m.log.component, component) && send(m, json)));
          }
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

  app.get("/api/v1/events", (c) => {
    const withLogs = c.req.query("logs") === "1";
    const component = c.req.query("component") || undefined;
    return stream(c, (push) => {
      push(JSON.stringify(feed.snapshot()));
      const offs = [feed.onPatches((_m, json) => push(json))];
      if (withLogs) {
        for (const log of feed.logsSince(0, component)) push(JSON.stringify({ type: "log", log }));
        offs.push(feed.onLogs((m, json) => m.type === "log" && matches(m.log.component, component) && push(json)));
      }
      return () => offs.forEach((off) => off());
    }, closers);
  });

  app.get("/api/v1/logs", (c) => {
    const component = c.req.query("component") || undefined;
    const since = Number(c.req.query("since") ?? 0) || 0;
    const limit = Math.min(Number(c.req.query("limit") ?? 1000) || 1000, 5000);
    if (c.req.query("follow") !== "1") {
      const logs = feed.logsSince(since, component, limit);
      return c.json({ logs, last: logs.at(-1)?.seq ?? since });
    }
    return stream(c, (push) => {
      for (const log of feed.logsSince(since, component, limit)) push(JSON.stringify({ type: "log", log }));
      return feed.onLogs((m, json) => m.type === "log" && matches(m.log.component, component) && push(json));
    }, closers);
  });
}

/** An SSE response fed by `start(push)` until the client leaves or the server closes. */
function stream(c: Context, start: (push: (json: string) => void) => () => void, closers: Set<() => void>): Response {
  return streamSSE(c, async (sse) => {
    let queue = Promise.resolve();
    const push = (json: string) => {
      queue = queue.then(() => sse.writeSSE({ data: json })).catch(() => undefined);
    };
    const stop = start(push);
    await new Promise<void>((resolve) => {
      const end = () => resolve();
      closers.add(end);
      sse.onAbort(() => {
        closers.delete(end);
        resolve();
      });
    });
    stop();
  });
}
