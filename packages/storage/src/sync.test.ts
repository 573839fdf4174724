import { readFile, stat, writeFile, utimes } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeTree, useTempDirs, writeTree } from "./test-support/helpers.ts";
import { PathNotFoundError } from "./errors.ts";
import { localRoot } from "./root.ts";
import { sync } from "./sync.ts";

const tempDir = useTempDirs();
const old = new Date("2021-03-04T05:06:07.123Z");

async function twoRoots() {
  return { a: await tempDir("lit-a-"), b: await tempDir("lit-b-") };
}

describe("sync", () => {
  it("copies a folder tree with its modes, mtimes, links and empty parts", async () => {
    const { a, b } = await twoRoots();
    await writeTree(a, {
      "run/model.bin": { content: "weights".repeat(1000), mode: 0o640, mtime: old },
      "run/train.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755, mtime: old },
      "run/empty.txt": { content: "", mode: 0o600 },
      "run/logs/a.log": "line 1\n",
      "run/logs/deep/b.log": "line 2\n",
      "run/nothing-here": { dir: true, mode: 0o750 },
      "run/latest": { link: "model.bin" },
      "run/logs/up": { link: "../train.sh" },
    });
    const report = await sync(localRoot(a), localRoot(b), "run");
    expect(await describeTree(join(b, "run"))).toEqual(await describeTree(join(a, "run")));
    expect((await stat(join(b, "run/train.sh"))).mode & 0o777).toBe(0o755);
    expect((await stat(join(b, "run/model.bin"))).mtime.getTime()).toBe(old.getTime());
    expect(report).toMatchObject({ files: 5, dirs: 4, symlinks: 2, filesWritten: 5 });
    expect(report.bytesSent).toBe(report.bytesTotal);
  });

  it("sends nothing the second time an unchanged folder is synced", async () => {
    const { a, b } = await twoRoots();
    const spec: Record<string, string> = {};
    for (let i = 0; i < 50; i++) spec[`data/part-${i}.txt`] = `part ${i} `.repeat(500 + i);
    await writeTree(a, spec);
    const first = await sync(localRoot(a), localRoot(b), "data");
    expect(first.bytesSent).toBeGreaterThan(200_000);
    // New root objects: what is known must come from disk, not from memory.
    const second = await sync(localRoot(a), localRoot(b), "data");
    expect(second.bytesSent).toBe(0);
    expect(second.blobsSent).toBe(0);
    expect(second.filesWritten).toBe(0);
    expect(await describeTree(join(b, "data"))).toEqual(await describeTree(join(a, "data")));
  });

  it("sends only the file that changed", async () => {
    const { a, b } = await twoRoots();
    await writeTree(a, { "d/one.txt": "1".repeat(10_000), "d/two.txt": "2".repeat(20_000), "d/three.txt": "3".repeat(30_000) });
    await sync(localRoot(a), localRoot(b), "d");
    await writeFile(join(a, "d/two.txt"), "two, edited");
    const report = await sync(localRoot(a), localRoot(b), "d");
    expect(report.bytesSent).toBe("two, edited".length);
    expect(report.filesWritten).toBe(1);
    expect(await readFile(join(b, "d/two.txt"), "utf8")).toBe("two, edited");
  });

  it("sends identical files once", async () => {
    const { a, b } = await twoRoots();
    const same = "same bytes ".repeat(10_000);
    await writeTree(a, { "x/1": same, "x/2": same, "x/sub/3": same, "x/other": "other" });
    const report = await sync(localRoot(a), localRoot(b), "x");
    expect(report.blobsSent).toBe(2);
    expect(report.bytesSent).toBe(same.length + "other".length);
    expect(await readFile(join(b, "x/sub/3"), "utf8")).toBe(same);
  });

  it("does not send what the receiver already has elsewhere in its tree", async () => {
    const { a, b } = await twoRoots();
    const content = "dataset ".repeat(50_000);
    await writeTree(a, { "new/copy.bin": content });
    await writeTree(b, { "old/original.bin": { content, mtime: old } });
    // A hash is trusted without reading the file again only once the file has been
    // still for a while (a write in the same clock tick would not show in its times).
    await new Promise((r) => setTimeout(r, 200));
    await localRoot(b).manifest("old");
    const report = await sync(localRoot(a), localRoot(b), "new");
    expect(report.bytesSent).toBe(0);
    // Copied from the file b already had, not from a blob sent to its store.
    const [file] = report.manifest.entries.filter((e) => e.type === "file");
    expect(await localRoot(b).store.stat(file!.type === "file" ? file!.hash : "")).toBeUndefined();
    expect(await readFile(join(b, "new/copy.bin"), "utf8")).toBe(content);
  });

  it("sends content after all when the receiver's copy changed since it was seen", async () => {
    const { a, b } = await twoRoots();
    const content = "dataset ".repeat(50_000);
    await writeTree(a, { "new/copy.bin": content });
    await writeTree(b, { "old/original.bin": { content, mtime: old } });
    await localRoot(b).manifest("old");
    await writeFile(join(b, "old/original.bin"), "replaced since");
    const report = await sync(localRoot(a), localRoot(b), "new");
    expect(report.bytesSent).toBe(content.length);
    expect(await readFile(join(b, "new/copy.bin"), "utf8")).toBe(content);
  });

  it("syncs a single file, to another name if asked", async () => {
    const { a, b } = await twoRoots();
    await writeTree(a, { "out/result.json": { content: '{"acc":0.93}', mode: 0o644, mtime: old } });
    await sync(localRoot(a), localRoot(b), "out/result.json", { target: "inputs/from-a.json" });
    expect(await readFile(join(b, "inputs/from-a.json"), "utf8")).toBe('{"acc":0.93}');
    expect((await stat(join(b, "inputs/from-a.json"))).mtime.getTime()).toBe(old.getTime());
  });

  it("replaces a file that differs and restores a changed mode and mtime", async () => {
    const { a, b } = await twoRoots();
    await writeTree(a, { "f/x.txt": { content: "version 2", mode: 0o600, mtime: old } });
    await writeTree(b, { "f/x.txt": "version 1" });
    await sync(localRoot(a), localRoot(b), "f");
    expect(await readFile(join(b, "f/x.txt"), "utf8")).toBe("version 2");
    await utimes(join(b, "f/x.txt"), new Date(), new Date());
    const again = await sync(localRoot(a), localRoot(b), "f");
    expect(again.bytesSent).toBe(0);
    expect((await stat(join(b, "f/x.txt"))).mtime.getTime()).toBe(old.getTime());
  });

  it("says which path is missing from which root", async () => {
    const { a, b } = await twoRoots();
    const err = await sync(localRoot(a), localRoot(b), "no/such/thing").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PathNotFoundError);
    expect((err as Error).message).toContain('path not found: "no/such/thing" in');
    expect((err as Error).message).toContain(a);
  });

  it("syncs a whole root, leaving its store behind", async () => {
    const { a, b } = await twoRoots();
    await writeTree(a, { "top.txt": "top", "nested/inner.txt": "inner" });
    await sync(localRoot(a), localRoot(b), "");
    expect(await describeTree(b)).toEqual(await describeTree(a));
    expect(Object.keys(await describeTree(b, ""))).toContain(".lit-storage");
  });
});
