/**
 * L.Drive in the core: ids checked, serialized into state, and each method
 * reaching the storage port as the work that calls it. (The ownership rules
 * on real files are tested with LocalStorage in @lit-app/storage/local.)
 */
import { describe, expect, it } from "vitest";
import {
  Drive,
  DriveConflictError,
  DriveError,
  LightningApp,
  LightningFlow,
  LightningWork,
  StorageUnavailableError,
} from "../index.ts";
import { decodeState, encodeState } from "../internal.ts";
import { MemoryStorage } from "../test-support/memory-storage.ts";
import { TestApp } from "../testing/index.ts";

describe("a Drive's id", () => {
  it.each([
    ["s3://bucket", 'a Drive\'s id starts with "lit://" followed by its name'],
    ["artifacts", 'a Drive\'s id starts with "lit://"'],
    ["lit://", "the name after \"lit://\" must be 1 to 128 letters"],
    ["lit://a/b", 'no "/": a Drive is one shared folder'],
    ["lit://../up", "must be 1 to 128 letters, digits"],
    ["lit://.hidden", "starting with a letter or digit"],
  ])("refuses %j", (id, why) => {
    const error = (() => {
      try {
        new Drive(id);
      } catch (e) {
        return e as DriveError;
      }
      throw new Error("accepted");
    })();
    expect(error).toBeInstanceOf(DriveError);
    expect(error.code).toBe("E_DRIVE");
    expect(error.message).toContain(`L.Drive(${JSON.stringify(id)}): `);
    expect(error.message).toContain(why);
  });

  it("refuses unknown or mistyped options", () => {
    expect(() => new Drive("lit://a", { allowDuplicate: true } as never)).toThrow('unknown option "allowDuplicate". Valid options: allowDuplicates.');
    expect(() => new Drive("lit://a", { allowDuplicates: "yes" } as never)).toThrow('option "allowDuplicates" must be true or false, got "yes"');
  });

  it("serializes into state and back", () => {
    const drive = new Drive("lit://artifacts", { allowDuplicates: true });
    expect(String(drive)).toBe("lit://artifacts");
    const json = encodeState({ drive });
    expect(json).toEqual({ drive: { $lit: "Drive", id: "artifacts", allowDuplicates: true } });
    const back = (decodeState(json) as { drive: Drive }).drive;
    expect(back).toBeInstanceOf(Drive);
    expect(back).toMatchObject({ id: "artifacts", allowDuplicates: true });
  });
});

describe("a Drive's methods", () => {
  it("run inside works, as the work that calls them; a flow is told to hand the Drive to a work", async () => {
    const storage = new MemoryStorage();
    const errors: string[] = [];
    class Producer extends LightningWork {
      drive = new Drive("lit://artifacts");
      async run() {
        await this.drive.put("model.pt");
        await this.drive.put("a/../../escape").catch((e: Error) => errors.push(`${e.name}: ${e.message}`));
      }
    }
    class Consumer extends LightningWork {
      listed: string[] = [];
      async run(drive: Drive) {
        this.listed = await drive.list();
        await drive.get("model.pt");
        await drive.delete("model.pt").catch((e: Error) => errors.push(e.message));
        await drive.put("model.pt").catch((e: Error) => errors.push(`${e instanceof DriveConflictError}: ${e.message}`));
      }
    }
    class Root extends LightningFlow {
      producer = new Producer();
      consumer = new Consumer();
      run() {
        this.producer.run();
        this.consumer.run(this.producer.drive);
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()), { storage });
    await t.start();
    expect(t.result).toBeUndefined();
    expect(storage.calls).toEqual([
      { op: "drive", method: "put", drive: "artifacts", work: "root.producer", path: "model.pt" },
      { op: "drive", method: "list", drive: "artifacts", work: "", path: "" },
      { op: "drive", method: "get", drive: "artifacts", work: "root.consumer", path: "model.pt" },
      { op: "drive", method: "delete", drive: "artifacts", work: "root.consumer", path: "model.pt" },
      { op: "drive", method: "put", drive: "artifacts", work: "root.consumer", path: "model.pt" },
    ]);
    expect(t.root.consumer.listed).toEqual(["model.pt"]);
    expect(errors.shift()).toMatch(/^PathError: lit:\/\/artifacts\.put\("a\/\.\.\/\.\.\/escape"\): refused: it climbs out of the storage root/);
    expect(errors).toEqual([
      "root.consumer cannot delete \"model.pt\" from the Drive lit://artifacts: root.producer put it there, and a work deletes only its own files. Delete it from root.producer's run().",
      "true: root.consumer cannot put \"model.pt\" in the Drive lit://artifacts: root.producer already put it there. Put it under another name, delete it from root.producer first, or create the Drive with { allowDuplicates: true }.",
    ]);
  });

  it("refuse a climbing name before reaching storage", async () => {
    const storage = new MemoryStorage();
    class W extends LightningWork {
      drive = new Drive("lit://d");
      async run() {
        await this.drive.get("../../etc/passwd");
      }
    }
    const t = new TestApp(new LightningApp(new W()), { storage });
    await t.start();
    expect(t.result?.error?.message).toContain('lit://d.get("../../etc/passwd"): refused: it climbs out of the storage root with ".."');
    expect(storage.calls).toEqual([]);
  });

  it("called in a flow, or with no storage, say where they run", async () => {
    const drive = new Drive("lit://shared");
    await expect(drive.put("x.txt")).rejects.toThrow(StorageUnavailableError);
    await expect(drive.list()).rejects.toThrow(
      "lit://shared.list() was called where no work's storage is: call it inside a work's run(). A flow hands Drives to works; it does not put or get files.",
    );
  });
});
