/**
 * The controller's check of the agent's frames: the envelope is checked,
 * each work's message must be a JSON object (its WorkLink checks the rest).
 */
import { describe, expect, it } from "vitest";
import { parseAgentFrame } from "./agent-frame.ts";

const started = { type: "started", callId: "c1", incarnation: "i1", seq: 3 };

describe("parseAgentFrame", () => {
  it("takes an events frame, the works' messages as they came", () => {
    const text = JSON.stringify({ type: "events", events: [{ work: "root.a", message: started }, { work: "root.b", message: { type: "log", x: [1] } }] });
    expect(parseAgentFrame(text, 1 << 20)).toEqual({
      ok: true,
      message: { type: "events", events: [{ work: "root.a", message: started }, { work: "root.b", message: { type: "log", x: [1] } }] },
    });
  });

  it("refuses a work's message that is not a JSON object, naming where", () => {
    for (const message of [null, [started], "started", 3]) {
      const parsed = parseAgentFrame(JSON.stringify({ type: "event", work: "root.a", message }), 1 << 20);
      expect(parsed).toEqual({ ok: false, problem: "message: a work's message must be a JSON object" });
    }
    const inBatch = parseAgentFrame(JSON.stringify({ type: "events", events: [{ work: "root.a", message: started }, { work: "root.a", message: null }] }), 1 << 20);
    expect(inBatch).toMatchObject({ ok: false, problem: expect.stringContaining("events.1.message: a work's message must be a JSON object") });
  });

  it("refuses a frame of an unknown type, one without its work, and one over the size limit", () => {
    expect(parseAgentFrame(JSON.stringify({ type: "nope" }), 1 << 20).ok).toBe(false);
    expect(parseAgentFrame(JSON.stringify({ type: "event", message: started }), 1 << 20).ok).toBe(false);
    expect(parseAgentFrame(JSON.stringify({ type: "event", work: "root.a", message: started }), 10)).toMatchObject({ ok: false, problem: expect.stringContaining("over the limit of 10") });
  });
});
