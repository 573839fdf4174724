/**
 * Drives on real files: what works put, get, list and delete, with the
 * ownership rules (a work deletes only its own files; a name put by two
 * works is an error unless the Drive allows duplicates), also when two
 * works put the same name at the same moment.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DriveConflictError, DriveError, DriveNotFoundError, DriveOwnershipError, PathError } from "@lit-app/core";
import type { DriveSpec } from "@lit-app/core/internal";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalStorage } from "./local-storage.ts";

let dir: string;
let storage: LocalStorage;
const drive: DriveSpec = { id: "artifacts", allowDuplicates: false };
const shared: DriveSpec = { id: "shared", allowDuplicates: true };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lit-drive-"));
  storage = new LocalStorage(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(work: string, path: string, content: string): void {
  const file = storage.localPath(work, path);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, content);
}
const read = (work: string, path: string) => readFileSync(storage.localPath(work, path), "utf8");

describe("a Drive", () => {
  it("takes files and folders from one work and gives them to another; lists them by prefix", async () => {
    write("root.a", "report.txt", "report");
    write("root.a", "models/v1/weights.bin", "w1");
    write("root.a", "models/v1/config.json", "{}");
    await storage.drivePut(drive, "root.a", "report.txt");
    await storage.drivePut(drive, "root.a", "models");
    expect(await storage.driveList(drive, "", undefined)).toEqual(["models/v1/config.json", "models/v1/weights.bin", "report.txt"]);
    expect(await storage.driveList(drive, "models/", undefined)).toEqual(["models/v1/config.json", "models/v1/weights.bin"]);
    expect(await storage.driveList(drive, "", "root.b")).toEqual([]);
    await storage.driveGet(drive, "root.b", "models", undefined);
    await storage.driveGet(drive, "root.b", "report.txt", "root.a");
    expect(read("root.b", "models/v1/weights.bin")).toBe("w1");
    expect(read("root.b", "report.txt")).toBe("report");
  });

  it("a folder put again without a file no longer has it", async () => {
    write("root.a", "out/keep.txt", "k");
    write("root.a", "out/drop.txt", "d");
    await storage.drivePut(drive, "root.a", "out");
    rmSync(storage.localPath("root.a", "out/drop.txt"));
    await storage.drivePut(drive, "root.a", "out");
    expect(await storage.driveList(drive, "", undefined)).toEqual(["out/keep.txt"]);
    write("root.b", "out/drop.txt", "mine now");
    await storage.drivePut(drive, "root.b", "out/drop.txt"); // its name was released
  });

  it("refuses a name another work put, unless the Drive allows duplicates", async () => {
    write("root.a", "model.pt", "a's");
    write("root.b", "model.pt", "b's");
    write("root.b", "models/x", "x");
    await storage.drivePut(drive, "root.a", "model.pt");
    await storage.drivePut(drive, "root.a", "model.pt"); // the same work again is fine
    const error = await storage.drivePut(drive, "root.b", "model.pt").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriveConflictError);
    expect((error as Error).message).toBe(
      'root.b cannot put "model.pt" in the Drive lit://artifacts: root.a already put it there. ' +
        "Put it under another name, delete it from root.a first, or create the Drive with { allowDuplicates: true }.",
    );
    await storage.drivePut(shared, "root.a", "model.pt");
    await storage.drivePut(shared, "root.b", "model.pt");
    await expect(storage.driveGet(shared, "root.c", "model.pt", undefined)).rejects.toThrow(
      new DriveError(
        'root.c cannot get "model.pt" from the Drive lit://shared: it was put by several works (root.a, root.b). ' +
          'Say which with drive.get("model.pt", { from: "root.a" }).',
      ),
    );
    await storage.driveGet(shared, "root.c", "model.pt", "root.b");
    expect(read("root.c", "model.pt")).toBe("b's");
  });

  it("lets a work delete only what it put", async () => {
    write("root.a", "model.pt", "a's");
    await storage.drivePut(drive, "root.a", "model.pt");
    const error = await storage.driveDelete(drive, "root.b", "model.pt").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriveOwnershipError);
    expect((error as Error).message).toBe(
      'root.b cannot delete "model.pt" from the Drive lit://artifacts: root.a put it there, and a work deletes only its own files. ' +
        "Delete it from root.a's run().",
    );
    await storage.driveDelete(drive, "root.a", "model.pt");
    expect(await storage.driveList(drive, "", undefined)).toEqual([]);
    await expect(storage.driveDelete(drive, "root.a", "model.pt")).rejects.toThrow(DriveNotFoundError);
    await expect(storage.driveGet(drive, "root.b", "model.pt", undefined)).rejects.toThrow(
      'root.b cannot get "model.pt" from the Drive lit://artifacts: no work put it there. See what is there with drive.list().',
    );
    write("root.b", "model.pt", "b's");
    await storage.drivePut(drive, "root.b", "model.pt"); // free again once deleted
  });

  it("of two works putting the same name at the same moment, exactly one wins", async () => {
    const works = ["root.w0", "root.w1", "root.w2", "root.w3"];
    for (const w of works) write(w, "result.json", JSON.stringify({ by: w }));
    const results = await Promise.allSettled(works.map((w) => storage.drivePut(drive, w, "result.json")));
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    const reasons = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as Error);
    expect(reasons.map((e) => e.constructor)).toEqual([DriveConflictError, DriveConflictError, DriveConflictError]);
    expect(await storage.driveList(drive, "", undefined)).toEqual(["result.json"]);
    await storage.driveGet(drive, "root.reader", "result.json", undefined);
    const winner = works[results.findIndex((r) => r.status === "fulfilled")];
    expect(JSON.parse(read("root.reader", "result.json"))).toEqual({ by: winner });
  });

  it("refuses a put of what the work does not have, and names that leave the root", async () => {
    await expect(storage.drivePut(drive, "root.a", "nothing.txt")).rejects.toThrow(
      /root\.a cannot put "nothing\.txt" in the Drive lit:\/\/artifacts: there is no "nothing\.txt" in its storage root/,
    );
    await expect(storage.drivePut(drive, "root.a", "../root.b/x")).rejects.toThrow(PathError);
    await expect(storage.driveGet(drive, "root.a", "/etc/passwd", undefined)).rejects.toThrow(PathError);
    await expect(storage.driveDelete(drive, "root.a", "../../x")).rejects.toThrow(PathError);
  });
});
