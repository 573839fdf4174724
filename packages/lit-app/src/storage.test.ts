/**
 * Paths, a Drive and Payloads between works in worker threads, on Bun, Node and Deno, with real
 * files in a temp storage folder (LIT_STORAGE_DIR), removed after each run. The fixture
 * test/fixtures/storage-app.ts prints what each work received; the files are checked on disk too.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixture, runApp, RUNTIMES } from "./test-support/app-process.ts";

const APP = fixture("storage-app.ts");
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lit-storage-app-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.each(RUNTIMES)("storage between works in worker threads on %s", (runtime) => {
  it("hands Paths, a Drive and Payloads from one work to another; a Path never written fails its reader, naming both works", async () => {
    const { app, exit } = await runApp(runtime, APP, { env: { LIT_STORAGE_DIR: dir, LIT_NO_SERVER: "1" } });
    expect(exit, app.transcript()).toMatchObject({ code: 0, signal: null });
    expect(app.output("stderr")).toBe("");
    const consumer = app.linesOf("root.consumer").map((l) => l.text);
    expect(app.linesOf("root.producer").map((l) => l.text)).toEqual(["wrote notes/hello.txt and ckpt, origin root.producer"]);
    const stats = 'stats {"epochs":3,"losses":[0.9,0.5,0.2],"note":"ünïcode"}, blob 0,1,2,253,254,255';
    expect(consumer).toEqual([
      'round 1: file "hello from the producer" from root.producer, exists true',
      "round 1: folder ckpt has a.bin, b.bin, c.bin; same file as before: false",
      `round 1: ${stats}`,
      'drive lists ["notes/hello.txt"]',
      'drive gave "hello from the producer" at the consumer\'s root',
      'delete refused: DriveOwnershipError: root.consumer cannot delete "notes/hello.txt" from the Drive lit://shared: ' +
        "root.producer put it there, and a work deletes only its own files. Delete it from root.producer's run().",
      'put refused: DriveConflictError: root.consumer cannot put "notes/hello.txt" in the Drive lit://shared: ' +
        "root.producer already put it there. Put it under another name, delete it from root.producer first, " +
        "or create the Drive with { allowDuplicates: true }.",
      'bad path refused: PathError: L.Path("../../outside.txt"): refused: it climbs out of the storage root with "..". ' +
        'A Path names a file or folder inside the work\'s storage root: give a relative name such as "models/best.pt".',
      'round 2: file "hello from the producer" from root.producer, exists true',
      // The unchanged folder was handed over again without rewriting its files.
      "round 2: folder ckpt has a.bin, b.bin, c.bin; same file as before: true",
      `round 2: ${stats}`,
    ]);
    expect(app.output().split("\n").filter((l) => l.startsWith("flow: "))).toEqual([
      'flow: the flow sees notes/hello.txt from root.producer, handed to ["root.consumer"]',
      'flow: reader failed: root.reader was handed the Path "never-written.txt" from root.crasher, but root.crasher has not written it: ' +
        'there is no "never-written.txt" in root.crasher\'s storage root (root.crasher failed, has not run yet, or wrote the file elsewhere). ' +
        "Write the file at String(path) in root.crasher's run() before the flow hands the Path to root.reader.",
    ]);
    expect(app.linesOf("root.reader")).toEqual([]);

    // On disk: each work's root under the app's folder, the consumer's copies equal to the producer's files.
    // root.crasher and root.reader left nothing in theirs: those roots were removed when they stopped.
    const roots = join(dir, "storage-test");
    expect(readdirSync(roots).sort()).toEqual([".drives", "root.consumer", "root.producer"]);
    for (const name of ["a.bin", "b.bin", "c.bin"]) {
      const original = join(roots, "root.producer", "ckpt", name);
      const copy = join(roots, "root.consumer", "ckpt", name);
      expect(readFileSync(copy)).toEqual(readFileSync(original));
      expect(statSync(copy).ino).not.toBe(statSync(original).ino);
    }
    expect(readFileSync(join(roots, "root.consumer", "notes", "hello.txt"), "utf8")).toBe("hello from the producer");
    expect(readFileSync(join(roots, ".drives", "shared", "root.producer", "notes", "hello.txt"), "utf8")).toBe("hello from the producer");
    expect(readdirSync(join(roots, ".drives", "shared")).filter((n) => !n.startsWith("."))).toEqual(["root.producer"]);
    expect(readdirSync(join(roots, "root.consumer", ".lit-payloads"))).toHaveLength(2);
  });
});
