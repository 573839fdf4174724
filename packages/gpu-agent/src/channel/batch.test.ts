/**
 * The agent's events on the wire, through a real agent and a real work
 * process: a call's messages (started, its state change, succeeded), which
 * the work sends in one turn of its loop, reach the controller in one
 * `events` frame, in seq order, each once.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startTestAgent, type TestAgent } from "../test-support/test-agent.ts";

const APP = new URL("../../test/fixtures/conformance-app.ts", import.meta.url).href;
let agent: TestAgent;
beforeAll(async () => void (agent = await startTestAgent()));
afterAll(() => agent.cleanup());

interface Frame {
  type: string;
  work?: string;
  message?: { type: string; seq: number; callId?: string };
  events?: { work: string; message: { type: string; seq: number; callId?: string } }[];
}

it("sends a call's started, delta and succeeded in one events frame, in seq order", async () => {
  const ws = new WebSocket(agent.url, { headers: { authorization: `Bearer ${agent.token}` } });
  const frames: Frame[] = [];
  let changed = () => undefined as void;
  ws.on("message", (data) => {
    frames.push(JSON.parse(data.toString()) as Frame);
    changed();
  });
  const until = (done: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; frames: ${JSON.stringify(frames)}`)), 15_000);
      changed = () => {
        if (done()) (clearTimeout(timer), resolve());
      };
      changed();
    });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  try {
    const init = { type: "init", incarnation: "i1", appModule: APP, name: "root.counter", className: "Counter", constructorOptions: {}, state: { items: [] } };
    ws.send(JSON.stringify({ type: "open", work: "root.counter", init }));
    const events = () => frames.flatMap((f) => (f.type === "events" ? f.events!.map((e) => e.message) : f.type === "event" ? [f.message!] : []));
    await until(() => events().some((m) => m.type === "ready"));
    const before = frames.length;
    ws.send(JSON.stringify({ type: "send", work: "root.counter", incarnation: "i1", message: { type: "run", callId: "c1", args: [7], delta: [] } }));
    await until(() => events().some((m) => m.type === "succeeded"));
    const after = frames.slice(before);
    expect(after).toHaveLength(1);
    expect(after[0]!.type).toBe("events");
    const messages = after[0]!.events!.map((e) => e.message);
    expect(messages.map((m) => m.type)).toEqual(["started", "delta", "succeeded"]);
    const seqs = messages.map((m) => m.seq);
    expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2]);
  } finally {
    ws.close();
  }
});
