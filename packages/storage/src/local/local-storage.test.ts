/**
 * LocalStorage against real files in a temp folder: Paths copied between
 * works' roots (only what changed), Payloads written once and read verified,
 * names that would leave a root refused.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MissingPathError, PathError, PayloadError } from "@lit-app/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalStorage, type TransferReport } from "./local-storage.ts";
import { appStorageDir } from "./storage-dir.ts";

let dir: string;
let transfers: TransferReport[];
let storage: LocalStorage;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lit-local-storage-"));
  transfers = [];
  storage = new LocalStorage(dir, { onTransfer: (t) => transfers.push(t) });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(work: string, path: string, content: string): void {
  const file = storage.localPath(work, path);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, content);
}

describe("a Path handed between works' roots", () => {
  it("each work has its own root below the app's folder; a file is copied into the receiver's", async () => {
    write("root.source", "boring_file.txt", "hello");
    expect(storage.localPath("root.source", "boring_file.txt")).toBe(join(dir, "root.source", "boring_file.txt"));
    expect(storage.exists("root.dest", "boring_file.txt")).toBe(false);
    await storage.materialize({ path: "boring_file.txt", origin: "root.source" }, "root.dest");
    expect(storage.exists("root.dest", "boring_file.txt")).toBe(true);
    expect(readFileSync(join(dir, "root.dest", "boring_file.txt"), "utf8")).toBe("hello");
  });

  it("a folder handed over again unchanged copies 0 bytes and rewrites no file; a changed file is copied alone", async () => {
    for (let i = 0; i < 20; i++) write("root.train", `ckpt/part-${i}.bin`, `weights ${i} `.repeat(1000));
    chmodSync(storage.localPath("root.train", "ckpt/part-3.bin"), 0o600);
    await storage.materialize({ path: "ckpt", origin: "root.train" }, "root.eval");
    const copied = storage.localPath("root.eval", "ckpt/part-7.bin");
    const before = statSync(copied);
    await storage.materialize({ path: "ckpt", origin: "root.train" }, "root.eval");
    write("root.train", "ckpt/part-7.bin", "retrained");
    await storage.materialize({ path: "ckpt", origin: "root.train" }, "root.eval");
    const [first, second, third] = transfers;
    expect(first).toMatchObject({ kind: "path", path: "ckpt", from: "root.train", into: "root.eval", filesWritten: 20 });
    expect(first!.bytesSent).toBeGreaterThan(20 * 9000);
    expect(second).toMatchObject({ bytesSent: 0, filesWritten: 0 });
    expect(third).toMatchObject({ bytesSent: "retrained".length, filesWritten: 1 });
    expect(readFileSync(copied, "utf8")).toBe("retrained");
    expect(before.ino).not.toBe(statSync(copied).ino); // replaced whole, by rename
    expect(statSync(storage.localPath("root.eval", "ckpt/part-3.bin")).mode & 0o777).toBe(0o600);
  });

  it("that its origin never wrote fails with an error naming both works and the path", async () => {
    const error = await storage.materialize({ path: "model.pt", origin: "root.train" }, "root.serve").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPathError);
    expect(error).toMatchObject({ code: "E_PATH_MISSING", path: "model.pt", origin: "root.train", receiver: "root.serve" });
    expect((error as Error).message).toContain('root.serve was handed the Path "model.pt" from root.train, but root.train has not written it');
  });

  it("refuses names that climb out of a root or are absolute, before touching the disk", async () => {
    write("root.a", "x", "x");
    for (const bad of ["../root.a/x", "/etc/passwd", "a/../../x"]) {
      await expect(storage.materialize({ path: bad, origin: "root.a" }, "root.b")).rejects.toThrow(PathError);
      expect(() => storage.localPath("root.b", bad)).toThrow(PathError);
    }
    await expect(storage.materialize({ path: "../etc", origin: "root.a" }, "root.b")).rejects.toThrow(
      `the Path "../etc" from root.a: refused: it climbs out of the storage root with ".."`,
    );
  });

  it("names a work whose dotted name holds a slash by a folder that stays inside the app's folder", () => {
    const path = storage.localPath("root.notebooks.../../evil", "f.txt");
    expect(path.startsWith(`${dir}/`)).toBe(true);
    expect(path).toBe(join(dir, "root.notebooks...%2F..%2Fevil", "f.txt"));
  });
});

describe("a Payload", () => {
  it("is written once, whole, by its origin and read verified by another work", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ answer: 42 }));
    const hash = storage.savePayload("root.a", bytes);
    expect(storage.savePayload("root.a", bytes)).toBe(hash);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const read = await storage.loadPayload({ hash, origin: "root.a" }, "root.b");
    expect(new TextDecoder().decode(read)).toBe('{"answer":42}');
    expect(transfers).toMatchObject([{ kind: "payload", from: "root.a", into: "root.b", bytesSent: bytes.byteLength }]);
  });

  it("whose blob was changed on disk is refused as corrupted", async () => {
    const hash = storage.savePayload("root.a", new Uint8Array([1, 2, 3]));
    const file = join(dir, "root.a", ".lit-payloads", hash);
    chmodSync(file, 0o644);
    writeFileSync(file, new Uint8Array([9, 9, 9]));
    await expect(storage.loadPayload({ hash, origin: "root.a" }, "root.b")).rejects.toThrow(
      `root.b: the Payload ${hash} from root.a is corrupted on disk`,
    );
  });

  it("that is not in its origin's storage says so; a malformed id is refused", async () => {
    await expect(storage.loadPayload({ hash: "a".repeat(64), origin: "root.a" }, "root.b")).rejects.toThrow(PayloadError);
    await expect(storage.loadPayload({ hash: "../../x", origin: "root.a" }, "root.b")).rejects.toThrow('has a bad id "../../x"');
  });
});

describe("appStorageDir", () => {
  it("is <app folder>/.lit/storage/<app name>, or under LIT_STORAGE_DIR", () => {
    expect(appStorageDir("file:///srv/apps/boring/app.ts", "boring app", "")).toBe("/srv/apps/boring/.lit/storage/boring%20app");
    expect(appStorageDir("file:///srv/apps/boring/app.ts", "app", "/data/lit")).toBe("/data/lit/app");
  });
});

describe("what a stopping work leaves", () => {
  it("a root with no file in it goes, with the empty folders above it; files and the folders holding them stay", async () => {
    const app = join(dir, ".lit", "storage", "my-app");
    const local = new LocalStorage(app);
    const parents = [join(dir, ".lit", "storage"), join(dir, ".lit")];
    // A work that named a Path but wrote nothing, with the empty folders of a failed transfer.
    mkdirSync(join(local.localPath("root.idle", "x.txt"), "..", ".lit-storage", "tmp"), { recursive: true });
    writeFileSync(local.localPath("root.busy", "model.pt"), "weights");

    local.removeIfEmpty("root.idle", parents);
    expect(readdirSync(app)).toEqual(["root.busy"]);
    local.removeIfEmpty("root.busy", parents);
    expect(readFileSync(join(app, "root.busy", "model.pt"), "utf8")).toBe("weights");

    rmSync(join(app, "root.busy", "model.pt"));
    local.removeIfEmpty("root.busy", parents);
    expect(readdirSync(dir)).toEqual([]);
    // A work that writes again later makes its root again.
    writeFileSync(local.localPath("root.busy", "again.txt"), "x");
    expect(readFileSync(join(app, "root.busy", "again.txt"), "utf8")).toBe("x");
  });
});
