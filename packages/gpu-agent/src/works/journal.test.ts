/** A work's journal as the agent reads it: replay ranges, its last message, and lines a crash cut short. */
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { appendJournal, lastJournalMessage, readJournal } from "./journal.ts";

const dirs: string[] = [];
function journal(): string {
  const dir = mkdtempSync(join(tmpdir(), "lit-journal-"));
  dirs.push(dir);
  return join(dir, "journal.jsonl");
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const log = (seq: number, line = `line ${seq}`) => ({ type: "log" as const, stream: "stdout" as const, line, incarnation: "i1", seq });

describe("the journal", () => {
  it("replays the messages after a seq, up to another, in order", () => {
    const file = journal();
    for (let seq = 1; seq <= 10; seq++) appendJournal(file, log(seq));
    expect(readJournal(file, 7).map((m) => m.seq)).toEqual([8, 9, 10]);
    expect(readJournal(file, 2, 4).map((m) => m.seq)).toEqual([3, 4]);
    expect(readJournal(join(file, "..", "missing.jsonl"))).toEqual([]);
  });

  it("skips a line cut short and one that is not a message, and finds the last message of a long journal from its end", () => {
    const file = journal();
    // A state value holding a "seq" key does not fool the quick look at each line's seq.
    appendJournal(file, { type: "delta", ops: [{ op: "replace", path: ["x"], value: { seq: 99 } }], incarnation: "i1", seq: 1 });
    for (let seq = 2; seq <= 3000; seq++) appendJournal(file, log(seq, "x".repeat(100)));
    appendFileSync(file, '{"type":"log","stream":"stdout","line":"not a mess\n{"type":"nonsense","seq":3001}\n');
    expect(readJournal(file, 0, 1)).toHaveLength(1);
    expect(readJournal(file, 2990).map((m) => m.seq)).toEqual([2991, 2992, 2993, 2994, 2995, 2996, 2997, 2998, 2999, 3000]);
    expect(lastJournalMessage(file)?.seq).toBe(3000);
    appendJournal(file, { type: "exiting", incarnation: "i1", seq: 3001, error: { name: "WorkerExit", message: "gone" } });
    expect(lastJournalMessage(file)).toMatchObject({ type: "exiting", seq: 3001 });
  });

  it("finds the last message when it is longer than the tail first read", () => {
    const file = journal();
    appendJournal(file, log(1));
    appendJournal(file, log(2, "y".repeat(300_000)));
    expect(lastJournalMessage(file)?.seq).toBe(2);
  });
});
