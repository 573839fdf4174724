/**
 * The agent's end of the work channel, on a real work table: what it answers
 * to frames that are too big, not JSON, not part of the channel, or about
 * works it does not have.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorkProcesses } from "../works/work-processes.ts";
import { ChannelSession } from "./session.ts";

let dir: string;
let table: WorkProcesses;
let sent: Record<string, unknown>[];
let session: ChannelSession;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lit-session-"));
  table = WorkProcesses.open({ dir });
  sent = [];
  session = new ChannelSession(table, { send: (text) => sent.push(JSON.parse(text)), close: () => undefined }, { maxMessageBytes: 1000 });
});
afterEach(() => {
  session.close();
  table.detach();
  rmSync(dir, { recursive: true, force: true });
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("the channel session", () => {
  it("drops a frame over its size limit, one that is not JSON and one that is not a channel message, saying why", async () => {
    session.receive(JSON.stringify({ type: "ping", id: 1, pad: "x".repeat(2000) }));
    session.receive("{not json");
    session.receive(JSON.stringify({ type: "launch", work: "root.a" }));
    session.receive(JSON.stringify({ type: "send", work: "root.a", incarnation: "i", message: { type: "init" } }));
    await settle();
    expect(sent.map((m) => m.type)).toEqual(["error", "error", "error", "error"]);
    expect(sent[0]!.message).toMatch(/over the limit of 1000/);
    expect(sent[1]!.message).toMatch(/not JSON/);
    expect(sent[2]!.message).toMatch(/type/);
    // A controller may not send init through `send`: only run and resync.
    expect(sent[3]!.message).toMatch(/message/);
  });

  it("answers unknown for works it does not have, and pong to ping", async () => {
    session.receive(JSON.stringify({ type: "hello", works: [{ work: "root.a", incarnation: "i1", after: 3 }] }));
    session.receive(JSON.stringify({ type: "send", work: "root.b", incarnation: "i2", message: { type: "resync" } }));
    session.receive(JSON.stringify({ type: "ping", id: 7 }));
    await settle();
    expect(sent).toEqual([
      { type: "unknown", work: "root.a", incarnation: "i1" },
      { type: "unknown", work: "root.b", incarnation: "i2" },
      { type: "pong", id: 7 },
    ]);
  });

  it("refuses a program name that could leave the program folder", async () => {
    const init = { type: "init", incarnation: "i1", appModule: "file:///app.ts", name: "root.a", className: "A", constructorOptions: {}, state: {} };
    session.receive(JSON.stringify({ type: "open", work: "root.a", init, program: "../../bin/sh" }));
    await settle();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: "error", message: expect.stringMatching(/program/) });
    expect(table.list()).toEqual([]);
  });
});
