/** The file journal, on real files: what it writes reads back; damaged or foreign files are clear errors naming the file. */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import process from "node:process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { JournalError } from "@lit-app/core";
import { emptyDurableState, type DurableState } from "@lit-app/core/internal";
import { processStartTime } from "@lit-app/runtime";
import { openFileJournal, readJournal } from "./file-journal.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lit-file-journal-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function started(dir: string): { journal: ReturnType<typeof openFileJournal>; state: DurableState } {
  const journal = openFileJournal(dir);
  expect(journal.load()).toBeUndefined();
  const state = emptyDurableState();
  state.doc = { stage: "running", components: { root: { kind: "flow", vars: { n: 0 } } } };
  state.components.root = { kind: "flow", className: "Root", dynamic: false };
  journal.snapshot(state);
  return { journal, state };
}

const set = (n: number) => [{ t: "doc" as const, ops: [{ op: "replace" as const, path: "/components/root/vars/n", value: n }] }];

describe("the file journal", () => {
  it("reads back the snapshot and every line written after it; a new snapshot starts a new journal file", () => {
    const dir = tempDir();
    const { journal, state } = started(dir);
    journal.append(set(1));
    journal.append([{ t: "call", work: "root.w", hash: "run:1", id: "b.1", stage: "succeeded", latest: true, successes: 1 }]);
    journal.append([{ t: "handle", work: "root.w", handle: { host: "gpu-box", incarnation: "i-7" } }]);
    journal.flush();
    expect(readJournal(dir)!.state.doc.components.root!.vars.n).toBe(1);
    expect(readJournal(dir)!.state.works["root.w"]).toEqual({
      latest: "b.1",
      successes: 1,
      calls: { "run:1": { id: "b.1", stage: "succeeded" } },
      handle: { host: "gpu-box", incarnation: "i-7" },
    });
    state.doc.components.root!.vars.n = 7;
    journal.snapshot(state);
    expect(readdirSync(dir).sort()).toEqual(["journal-2.jsonl", "lock", "snapshot.json"]);
    journal.append(set(8));
    journal.close();
    expect(readJournal(dir)!.state.doc.components.root!.vars.n).toBe(8);
  });

  it("ignores a torn last line and refuses a damaged line before it, naming the file and line", () => {
    const dir = tempDir();
    const { journal } = started(dir);
    journal.append(set(1));
    journal.close();
    appendFileSync(join(dir, "journal-1.jsonl"), '[{"t":"doc","ops":[{"op":"rep');
    expect(readJournal(dir)!.state.doc.components.root!.vars.n).toBe(1);
    appendFileSync(join(dir, "journal-1.jsonl"), "\n" + JSON.stringify(set(2)) + "\n");
    expect(() => readJournal(dir)).toThrow(JournalError);
    expect(() => readJournal(dir)).toThrow(`${join(dir, "journal-1.jsonl")}, line 2, is not JSON`);
  });

  it("refuses a foreign, invalid, too deep or too big snapshot with an error naming it", () => {
    const dir = tempDir();
    const file = join(dir, "snapshot.json");
    writeFileSync(file, JSON.stringify({ hello: "world" }));
    expect(() => readJournal(dir)).toThrow(`${file} is not a lit-app journal snapshot`);
    writeFileSync(file, "{nope");
    expect(() => readJournal(dir)).toThrow(/is not JSON/);
    writeFileSync(file, JSON.stringify({ format: "lit-app-journal", version: 1, generation: 1, state: { version: 1, doc: {} } }));
    expect(() => readJournal(dir)).toThrow(/is not valid at state\.doc\.stage/);
    const deep = { format: "lit-app-journal", version: 1, generation: 1, state: emptyDurableState() } as Record<string, unknown>;
    let v: unknown = 1;
    for (let i = 0; i < 300; i++) v = [v];
    (deep.state as DurableState).doc.components.root = { kind: "flow", vars: { v: v as never } };
    writeFileSync(file, JSON.stringify(deep));
    expect(() => readJournal(dir)).toThrow(/nested more than 256 deep/);
    expect(() => readJournal(dir, { maxSnapshotBytes: 100 })).toThrow(/more than the 100 it may/);
  });

  it("a journal opened fresh discards what the folder held", () => {
    const dir = tempDir();
    const { journal } = started(dir);
    journal.append(set(3));
    journal.close();
    expect(openFileJournal(dir, { fresh: true }).load()).toBeUndefined();
    expect(readdirSync(dir)).toEqual(["lock"]);
  });

  it("is written by one process at a time: a live holder is an error naming it, a dead one's lock is taken over", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "lock"), String(process.ppid));
    expect(() => openFileJournal(dir).load()).toThrow(`is in use by process ${process.ppid}`);
    writeFileSync(join(dir, "lock"), "999999999");
    const journal = openFileJournal(dir);
    expect(journal.load()).toBeUndefined();
    expect(readFileSync(join(dir, "lock"), "utf8").split(" ")[0]).toBe(String(process.pid));
    journal.close();
    expect(readdirSync(dir)).not.toContain("lock");
  });

  it.runIf(process.platform === "linux")("takes over a lock whose pid now belongs to another program (reused after a reboot): the holder's start time differs", () => {
    const dir = tempDir();
    const parentStart = processStartTime(process.ppid)!;
    writeFileSync(join(dir, "lock"), `${process.ppid} ${parentStart}`);
    expect(() => openFileJournal(dir).load()).toThrow(`is in use by process ${process.ppid}`);
    writeFileSync(join(dir, "lock"), `${process.ppid} ${Number(parentStart) + 1}`);
    const journal = openFileJournal(dir);
    expect(journal.load()).toBeUndefined();
    expect(readFileSync(join(dir, "lock"), "utf8")).toBe(`${process.pid} ${processStartTime(process.pid)}`);
    journal.close();
  });
});
