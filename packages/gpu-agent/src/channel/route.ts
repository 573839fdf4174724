/**
 * The work channel as a route: `app.get("/v1/channel", upgradeWebSocket(channelEvents(table)))`
 * on the agent's Hono app, behind its token check. One {@link ChannelSession} per WebSocket.
 */
import type { WSEvents } from "hono/ws";
import type { WorkProcesses } from "../works/work-processes.ts";
import { ChannelSession, type ChannelSessionOptions } from "./session.ts";

/** The events of one channel WebSocket, for Hono's `upgradeWebSocket`. */
export function channelEvents(table: WorkProcesses, options: ChannelSessionOptions = {}): () => WSEvents {
  return () => {
    let session: ChannelSession | undefined;
    return {
      onOpen(_event, ws) {
        session = new ChannelSession(table, { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) }, options);
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
