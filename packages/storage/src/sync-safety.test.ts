import { lstat, mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDirs, writeTree } from "./test-support/helpers.ts";
import { hashBytes } from "./hash.ts";
import type { Manifest } from "./manifest.ts";
import { localRoot } from "./root.ts";
import { sync } from "./sync.ts";
import { putBytes } from "./bytes.ts";

const tempDir = useTempDirs();

function fileManifest(path: string, content: string): Manifest {
  return {
    version: 1,
    entries: [
      { type: "dir", path: "", mode: 0o755, mtimeMs: 0 },
      { type: "file", path, size: content.length, mode: 0o644, mtimeMs: 0, hash: hashBytes(content) },
    ],
  };
}

async function rejection(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e as Error & { code?: string },
  );
}

describe("names from outside", () => {
  const bad: [string, string][] = [
    ["../escaped.txt", "'..'"],
    ["a/../../escaped.txt", "'..'"],
    ["/tmp/escaped.txt", "absolute"],
    ["a//b.txt", "empty"],
    ["./a.txt", "'.'"],
    ["a\\..\\b.txt", "backslash"],
    [".lit-storage/blobs/x", "reserved"],
  ];
  for (const [path, why] of bad) {
    it(`refuses a manifest naming ${JSON.stringify(path)}`, async () => {
      const outer = await tempDir("lit-outer-");
      const rootDir = join(outer, "root");
      const root = localRoot(rootDir);
      await putBytes(root.store, Buffer.from("payload"));
      const err = await rejection(root.apply(fileManifest(path, "payload"), "in"));
      expect(err.code).toBe("E_UNSAFE_PATH");
      expect(err.message).toContain(JSON.stringify(path));
      expect(err.message).toContain(why);
      expect(await readdir(outer)).toEqual(["root"]);
    });
  }

  it("refuses an unsafe target or source path", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await writeTree(a, { "x.txt": "x" });
    expect((await rejection(sync(localRoot(a), localRoot(b), "x.txt", { target: "../x.txt" }))).code).toBe("E_UNSAFE_PATH");
    expect((await rejection(sync(localRoot(a), localRoot(b), "../" + a.split("/").at(-1)!))).code).toBe("E_UNSAFE_PATH");
    expect((await rejection(sync(localRoot(a), localRoot(b), "/etc/passwd"))).code).toBe("E_UNSAFE_PATH");
  });

  it("refuses a manifest link that points out of the root, or anywhere absolute", async () => {
    const outer = await tempDir("lit-outer-");
    const root = localRoot(join(outer, "root"));
    for (const target of ["../../outside", "/etc/passwd", "a/../../../x"]) {
      const manifest: Manifest = {
        version: 1,
        entries: [
          { type: "dir", path: "", mode: 0o755, mtimeMs: 0 },
          { type: "symlink", path: "link", target },
        ],
      };
      const err = await rejection(root.apply(manifest, "in"));
      expect(err.code).toBe("E_SYMLINK_ESCAPE");
      expect(err.message).toContain(`"in/link" -> ${JSON.stringify(target)}`);
      expect(err.message).toContain("points outside the storage root");
    }
    // Climbing within the root is fine.
    await root.apply(
      { version: 1, entries: [{ type: "dir", path: "", mode: 0o755, mtimeMs: 0 }, { type: "symlink", path: "up", target: "../x" }] },
      "in",
    );
    expect((await lstat(join(outer, "root/in/up"))).isSymbolicLink()).toBe(true);
  });

  it("refuses a manifest that is not well formed, saying where", async () => {
    const root = localRoot(await tempDir());
    const err = await rejection(
      root.apply({ version: 1, entries: [{ type: "file", path: "", size: -1, mode: 0o644, mtimeMs: 0, hash: "zz" }] } as never, "f"),
    );
    expect(err.code).toBe("E_BAD_MANIFEST");
    expect(err.message).toContain("entries[0].size");
    expect(err.message).toContain("entries[0].hash");
  });
});

describe("links in the trees", () => {
  it("refuses to send a link that leads out of the sending root", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await writeTree(a, { "d/ok.txt": "fine", "d/secret": { link: "/etc/passwd" } });
    const err = await rejection(sync(localRoot(a), localRoot(b), "d"));
    expect(err.code).toBe("E_SYMLINK_ESCAPE");
    expect(err.message).toContain('"d/secret" -> "/etc/passwd"');
    expect(await readdir(b)).not.toContain("d");
  });

  it("does not sync through a sending folder that is a link out of the root", async () => {
    const outside = await tempDir("lit-outside-");
    const a = await tempDir();
    const b = await tempDir();
    await writeFile(join(outside, "private.txt"), "private");
    await symlink(outside, join(a, "shortcut"));
    expect((await rejection(sync(localRoot(a), localRoot(b), "shortcut/private.txt"))).code).toBe("E_PATH_NOT_FOUND");
  });

  it("never writes through a receiving folder that is a link out of the root", async () => {
    const outside = await tempDir("lit-outside-");
    const a = await tempDir();
    const b = await tempDir();
    await writeTree(a, { "data/file.txt": "would land outside" });
    await symlink(outside, join(b, "data"));
    const err = await rejection(sync(localRoot(a), localRoot(b), "data"));
    expect(err.code).toBe("E_SYMLINK_ESCAPE");
    expect(await readdir(outside)).toEqual([]);
  });

  it("writes through a receiving folder link that stays inside the root", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await writeTree(a, { "data/file.txt": "inside" });
    await mkdir(join(b, "real"));
    await symlink("real", join(b, "data"));
    await sync(localRoot(a), localRoot(b), "data");
    expect(await readdir(join(b, "real"))).toEqual(["file.txt"]);
  });
});
