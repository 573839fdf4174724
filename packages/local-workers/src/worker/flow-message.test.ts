/** The work's side checks the flow's messages: for shape in a thread, with zod across a process or network. */
import { describe, expect, it } from "vitest";
import { readFlowMessage } from "./flow-message.ts";
import { parseFlowMessage } from "./parse-flow-message.ts";

const init = { type: "init", incarnation: "i-1", appModule: "file:///app.ts", name: "root.a", className: "A", constructorOptions: {}, state: {} };
const run = { type: "run", callId: "b.1", args: [1], delta: [{ op: "replace", path: ["x"], value: 2 }] };

describe("the flow's messages on the work's side", () => {
  it.each([
    ["the thread's shape check", readFlowMessage],
    ["the zod parse", parseFlowMessage],
  ] as const)("%s takes every message the flow sends and refuses others, saying why", (_name, read) => {
    for (const message of [init, run, { type: "stop" }, { type: "resync" }]) expect(read(message)).toEqual({ ok: true, message });
    for (const bad of [null, "run", { type: "launch" }, { ...run, callId: 7 }, { ...init, incarnation: undefined }]) {
      const result = read(bad);
      expect(result.ok).toBe(false);
      expect(result.ok ? "" : result.problem).not.toBe("");
    }
  });

  it("the zod parse also refuses what only a full schema sees: a malformed delta", () => {
    const bad = { ...run, delta: [{ op: "move", path: [] }] };
    expect(readFlowMessage(bad).ok).toBe(true);
    const parsed = parseFlowMessage(bad);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.problem).toMatch(/delta\.0\.op/);
  });
});
