/**
 * The work channel as a route: `app.get("/v1/channel", upgradeWebSocket(channelEvents(table)))`
 * on the agent's Hono app, behind its token check. One {@link ChannelSession} per WebSocket;
 * `?app=apps/<name>` names the controller's app (see app-key.ts).
 */
import type { Context } from "hono";
import type { WSEvents } from "hono/ws";
import { isAppKey } from "../works/app-key.ts";
import type { WorkProcesses } from "../works/work-processes.ts";
import { ChannelSession, type ChannelSessionOptions } from "./session.ts";

/** The events of one channel WebSocket, for Hono's `upgradeWebSocket`. */
export function channelEvents(table: WorkProcesses, options: Omit<ChannelSessionOptions, "app"> = {}): (c?: Context) => WSEvents {
  return (c) => {
    const app = c?.req.query("app");
    const refused = app !== undefined && !isAppKey(app) ? `"app" must be the app's storage folder (apps/<name>), got ${JSON.stringify(app.slice(0, 80))}` : undefined;
    let session: ChannelSession | undefined;
    return {
      onOpen(_event, ws) {
        if (refused) return ws.close(1008, refused.slice(0, 120));
        session = new ChannelSession(table, { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) }, { ...options, ...(app ? { app } : {}) });
      },
      onMessage(event, ws) {
        if (typeof event.data === "string") session?.receive(event.data);
        else ws.close(1003, "the work channel takes text frames only");
      },
      onClose() {
        session?.close();
      },
      onError() {
        session?.close();
      },
    };
  };
}
