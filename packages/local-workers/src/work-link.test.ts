/**
 * The flow's end of a work's channel, over a real MessageChannel whose other
 * end the test plays as the work: every message parsed, duplicates and old
 * incarnations dropped, a gap detected and resynced from a snapshot.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { WorkEvent } from "@lit-app/core/internal";
import { portChannel, type PostEndpoint } from "./channel.ts";
import { workToFlow } from "./protocol.ts";
import { WorkLink } from "./work-link.ts";

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

/** A link for `root.train`, incarnation `inc-2`, and the work's end of its channel. */
function link() {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const events: WorkEvent[] = [];
  const toWork: unknown[] = [];
  port2.addEventListener("message", (e) => toWork.push(e.data));
  port2.start();
  const flowSide = new WorkLink("root.train", "inc-2", portChannel(port1 as unknown as PostEndpoint), workToFlow, {
    emit: (event) => events.push(event),
    initDone: () => undefined,
    stopped: () => undefined,
    exiting: () => undefined,
  });
  let seq = 0;
  const work = {
    /** Sends `body` as the work would, with its incarnation and the next seq unless given. */
    send(body: Record<string, unknown>, over: { incarnation?: string; seq?: number } = {}) {
      port2.postMessage({ incarnation: "inc-2", ...body, ...over, seq: over.seq ?? ++seq });
    },
    raw: (data: unknown) => port2.postMessage(data),
  };
  return { flowSide, events, toWork, work };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

describe("WorkLink", () => {
  it("reports a message that is not part of the protocol as a protocol error naming the work, and goes on", async () => {
    const { events, work } = link();
    work.raw({ type: "succeeded", callId: 7 });
    work.raw("hello");
    work.send({ type: "started", callId: "b.1" });
    await settle();
    const errors = events.filter((e) => e.type === "log" && e.stream === "stderr");
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ work: "root.train" });
    expect((errors[0] as { line: string }).line).toMatch(
      /WorkProtocolError \(E_WORK_PROTOCOL\): root\.train sent a message that is not part of the work protocol \(\{"type":"succeeded","callId":7\}\): .*callId/,
    );
    expect(events.at(-1)).toEqual({ type: "started", work: "root.train", callId: "b.1" });
  });

  it("drops a message delivered twice, so a delta is applied once", async () => {
    const { events, work } = link();
    work.send({ type: "started", callId: "b.1" });
    work.send({ type: "delta", ops: [{ op: "add", path: ["items", "0"], value: 1 }] }, { seq: 2 });
    work.send({ type: "delta", ops: [{ op: "add", path: ["items", "0"], value: 1 }] }, { seq: 2 });
    work.send({ type: "succeeded", callId: "b.1" }, { seq: 3 });
    work.send({ type: "succeeded", callId: "b.1" }, { seq: 3 });
    await settle();
    expect(events.map((e) => e.type)).toEqual(["started", "delta", "succeeded"]);
  });

  it("drops the messages of an earlier incarnation of the work", async () => {
    const { events, work } = link();
    work.send({ type: "started", callId: "b.1" }, { incarnation: "inc-1", seq: 1 });
    work.send({ type: "delta", ops: [{ op: "replace", path: ["x"], value: 1 }] }, { incarnation: "inc-1", seq: 2 });
    work.send({ type: "started", callId: "b.2" }, { seq: 1 });
    await settle();
    expect(events).toEqual([{ type: "started", work: "root.train", callId: "b.2" }]);
  });

  it("detects a gap, says so, and resyncs the work's state and its calls from a snapshot", async () => {
    const { events, toWork, work } = link();
    work.send({ type: "started", callId: "b.1" }, { seq: 1 });
    // Messages 2 and 3 (a delta and the result) are lost.
    work.send({ type: "log", stream: "stdout", line: "after" }, { seq: 4 });
    await settle();
    expect(events[1]).toMatchObject({ type: "log", stream: "stderr", work: "root.train" });
    expect((events[1] as { line: string }).line).toMatch(/root\.train: messages 2\.\.3 of the work never arrived/);
    expect(toWork).toEqual([{ type: "resync" }]);
    work.send(
      { type: "snapshot", state: { count: 2, label: "done" }, calls: [{ callId: "b.1", stage: "succeeded" }] },
      { seq: 5 },
    );
    await settle();
    expect(events.slice(3)).toEqual([
      { type: "delta", work: "root.train", ops: [{ op: "replace", path: ["count"], value: 2 }, { op: "replace", path: ["label"], value: "done" }] },
      { type: "started", work: "root.train", callId: "b.1" },
      { type: "succeeded", work: "root.train", callId: "b.1" },
    ]);
    expect(events.filter((e) => e.type === "log" && e.stream === "stderr")).toHaveLength(1);
  });
});
