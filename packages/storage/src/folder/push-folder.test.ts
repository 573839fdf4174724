import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { httpRoot } from "../http/root.ts";
import type { Manifest } from "../manifest.ts";
import { META_DIR } from "../safe-path.ts";
import { describeTree, useTempDirs, writeTree } from "../test-support/helpers.ts";
import { serveStorage } from "../test-support/storage-server.ts";
import type { StorageServer } from "../test-support/storage-server.ts";
import { manifestDigest } from "./push-wire.ts";
import { syncFolder } from "./sync-folder.ts";

const tempDir = useTempDirs();
const servers: StorageServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function agent(limits?: Parameters<typeof serveStorage>[1]) {
  const dir = await tempDir("lit-agent-");
  const server = await serveStorage(dir, limits);
  servers.push(server);
  return { dir, server, root: httpRoot({ url: server.url, token: server.token, name: "gpu-box" }) };
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** A push as the agent receives it, built by hand: a length, the head, then `bytes`. */
async function rawPush(server: StorageServer, target: string, head: unknown, bytes: string | Uint8Array = "", lengthOverride?: number) {
  const headBytes = new TextEncoder().encode(JSON.stringify(head));
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, lengthOverride ?? headBytes.byteLength);
  const body = Buffer.concat([prefix, headBytes, typeof bytes === "string" ? Buffer.from(bytes) : bytes]);
  const res = await fetch(`${server.url}/folders/push?target=${encodeURIComponent(target)}`, {
    method: "PUT",
    body,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/octet-stream" },
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string }; filesWritten?: number } };
}

/** The agent's answer to "what did you last receive at target, and is it still so?". */
async function check(server: StorageServer, target: string): Promise<unknown> {
  const res = await fetch(`${server.url}/folders/check`, {
    method: "POST",
    body: JSON.stringify({ target }),
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
  });
  return res.json();
}

function manifestOf(files: Record<string, string>): Manifest {
  const entries: Manifest["entries"][number][] = [{ type: "dir", path: "", mode: 0o755, mtimeMs: 1_700_000_000_000 }];
  for (const [path, content] of Object.entries(files)) {
    entries.push({ type: "file", path, size: Buffer.byteLength(content), mode: 0o644, mtimeMs: 1_700_000_000_000, hash: sha(content) });
  }
  return { version: 1, entries };
}

/** What is left in the agent's staging folder (nothing, after any push). */
async function staged(agentDir: string): Promise<string[]> {
  return readdir(join(agentDir, META_DIR, "staging")).catch(() => []);
}

describe("pushFolder: a folder to an agent in one request", () => {
  it("arrives whole as files a command runs; unchanged it costs no bytes; a file changed on the host is written again", async () => {
    const app = await tempDir();
    await writeTree(app, {
      "run.py": { content: "print(open('data/a.txt').read().strip(), open('data/b.txt').read().strip())\n", mode: 0o755 },
      "data/a.txt": "same\n",
      "data/b.txt": "same\n",
      "data/empty.txt": "",
      "link.txt": { link: "data/a.txt" },
    });
    const { dir, root, server } = await agent();
    expect(await check(server, "folders/app")).toEqual({ digest: null, intact: false });
    const progress: number[] = [];
    const first = await syncFolder(app, root, { target: "folders/app", onProgress: (p) => progress.push(p.bytesSent) });
    expect(first).toMatchObject({ files: 4, blobsSent: 3, filesWritten: 4 });
    expect(progress.at(-1)).toBe(first.bytesSent);
    const there = join(dir, "folders/app");
    expect(await describeTree(there)).toEqual(await describeTree(app, ".lit"));
    expect(spawnSync("python3", ["run.py"], { cwd: there, encoding: "utf8" }).stdout.trim()).toBe("same same");
    expect(await staged(dir)).toEqual([]);

    expect(await syncFolder(app, root, { target: "folders/app" })).toMatchObject({ bytesSent: 0, blobsSent: 0, filesWritten: 0 });
    expect(await check(server, "folders/app")).toEqual({ digest: manifestDigest(first.manifest), intact: true });

    // Someone edits the synced copy on the host: the next sync puts the app's file back.
    await writeFile(join(there, "data/b.txt"), "edited on the host\n");
    expect(await check(server, "folders/app")).toEqual({ digest: manifestDigest(first.manifest), intact: false });
    const repaired = await syncFolder(app, root, { target: "folders/app" });
    expect(repaired).toMatchObject({ filesWritten: 1 });
    expect(await readFile(join(there, "data/b.txt"), "utf8")).toBe("same\n");

    const untouched = await stat(join(there, "run.py"));
    await writeFile(join(app, "data/c.txt"), "new\n");
    expect(await syncFolder(app, root, { target: "folders/app" })).toMatchObject({ blobsSent: 1, filesWritten: 1 });
    expect(await readFile(join(there, "data/c.txt"), "utf8")).toBe("new\n");
    // The other files were left as they were, not written or touched again.
    expect(await stat(join(there, "run.py"))).toMatchObject({ ino: untouched.ino, ctimeMs: untouched.ctimeMs });
    expect(await check(server, "folders/app")).toMatchObject({ intact: true });
    expect(await staged(dir)).toEqual([]);
  });

  it("sends only what the agent lacks: a blob it stores, a large file on its own, nothing for a second target", async () => {
    const app = await tempDir();
    const files: Record<string, string> = {};
    for (let i = 0; i < 70; i++) files[`src/f${i}.txt`] = `file ${i}\n`;
    await writeTree(app, files);
    await writeFile(join(app, "weights.bin"), Buffer.alloc(9 * 1024 * 1024, 7));
    const { dir, root } = await agent();
    await root.store.write(sha("file 3\n"), (async function* () {
      yield Buffer.from("file 3\n");
    })(), { size: 7 });
    const first = await syncFolder(app, root, { target: "a" });
    expect(first).toMatchObject({ files: 71, blobsSent: 70, filesWritten: 71, bytesSent: first.bytesTotal - 7 });
    expect(await describeTree(join(dir, "a"))).toEqual(await describeTree(app, ".lit"));
    const second = await syncFolder(app, root, { target: "b" });
    expect(second).toMatchObject({ blobsSent: 0, bytesSent: 0, filesWritten: 71 });
    expect(await describeTree(join(dir, "b"))).toEqual(await describeTree(app, ".lit"));
  });

  it("a push whose bytes are not those its head announces, or that ends early, changes nothing and leaves nothing staged", async () => {
    const { dir, server } = await agent();
    const ok = await rawPush(server, "app", { manifest: manifestOf({ "a.txt": "old\n" }), blobs: [{ hash: sha("old\n"), size: 4 }] }, "old\n");
    expect(ok).toMatchObject({ status: 200, body: { filesWritten: 1 } });

    const changed = manifestOf({ "a.txt": "new\n", "b.txt": "more\n" });
    const blobs = [
      { hash: sha("new\n"), size: 4 },
      { hash: sha("more\n"), size: 5 },
    ];
    const corrupt = await rawPush(server, "app", { manifest: changed, blobs }, "NEW\nmore\n");
    expect(corrupt.status).toBe(422);
    expect(corrupt.body.error?.code).toBe("E_INTEGRITY");
    const short = await rawPush(server, "app", { manifest: changed, blobs }, "new\nmo");
    expect(short.status).toBe(400);
    expect(short.body.error?.message).toMatch(/ended after 1 of its 2 blobs/);
    const long = await rawPush(server, "app", { manifest: changed, blobs }, "new\nmore\nextra");
    expect(long.body.error?.message).toMatch(/more bytes than the 2 blobs/);

    expect(Object.keys(await describeTree(join(dir, "app")))).toEqual(["a.txt"]);
    expect(await readFile(join(dir, "app/a.txt"), "utf8")).toBe("old\n");
    expect(await staged(dir)).toEqual([]);
    // A new target that fails is not there at all.
    await rawPush(server, "fresh", { manifest: changed, blobs }, "new\nMORE\n");
    expect(await readdir(dir)).not.toContain("fresh");
  });

  it("a push cut off mid-way (the sync stopped) leaves the old folder as it was and nothing staged", async () => {
    const app = await tempDir();
    await writeTree(app, { "keep.txt": "v1\n" });
    const { dir, root } = await agent();
    await syncFolder(app, root, { target: "app" });
    await writeFile(join(app, "keep.txt"), "v2\n");
    await mkdir(join(app, "data"));
    for (let i = 0; i < 64; i++) await writeFile(join(app, "data", `f${i}.bin`), Buffer.alloc(512 * 1024, i));
    const stop = new AbortController();
    const stopped = await syncFolder(app, root, {
      target: "app",
      signal: stop.signal,
      onProgress: (p) => p.bytesSent > 8 * 1024 * 1024 && stop.abort(new Error("stopped by the user")),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(stopped).toBeDefined();
    // The agent sees the connection drop a moment later, and removes what it staged.
    for (let i = 0; i < 50 && (await staged(dir)).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await staged(dir)).toEqual([]);
    expect(await readFile(join(dir, "app/keep.txt"), "utf8")).toBe("v1\n");
    expect(await readdir(join(dir, "app"))).toEqual(["keep.txt"]);
  });

  it("refuses names that leave the folder, links that lead out of the root, blobs the manifest does not hold and heads over the limit", async () => {
    const { dir, server } = await agent({ limits: { manifestBytes: 64 * 1024, manifestEntries: 100 } });
    const bad = (m: Manifest) => rawPush(server, "app", { manifest: m, blobs: [] });
    const climb = manifestOf({});
    const escape = await bad({ version: 1, entries: [...climb.entries, { type: "file", path: "../evil", size: 0, mode: 0o644, mtimeMs: 0, hash: sha("") }] });
    expect(escape.body.error?.code).toBe("E_UNSAFE_PATH");
    const absolute = await bad({ version: 1, entries: [...climb.entries, { type: "file", path: "/etc/evil", size: 0, mode: 0o644, mtimeMs: 0, hash: sha("") }] });
    expect(absolute.body.error?.code).toBe("E_UNSAFE_PATH");
    const link = await bad({ version: 1, entries: [...climb.entries, { type: "symlink", path: "out", target: "../../../etc" }] });
    expect(link.body.error?.code).toBe("E_SYMLINK_ESCAPE");
    const stranger = await rawPush(server, "app", { manifest: manifestOf({ "a.txt": "a" }), blobs: [{ hash: sha("b"), size: 1 }] }, "b");
    expect(stranger.body.error?.message).toMatch(/no file's content in the manifest/);
    const lying = await rawPush(server, "app", { manifest: manifestOf({ "a.txt": "a" }), blobs: [{ hash: sha("a"), size: 1000 }] }, "a");
    expect(lying.body.error?.message).toMatch(/1000 bytes where "a.txt" has 1/);
    const huge = await rawPush(server, "app", { manifest: manifestOf({}), blobs: [] }, "", 0xfffffff0);
    expect(huge).toMatchObject({ status: 413, body: { error: { code: "E_TOO_LARGE" } } });
    const outside = await rawPush(server, "../up", { manifest: manifestOf({}), blobs: [] });
    expect(outside.body.error?.code).toBe("E_UNSAFE_PATH");
    expect((await readdir(dir)).filter((n) => n !== META_DIR)).toEqual([]);
    expect(await staged(dir)).toEqual([]);
  });
});
