/**
 * A disk that fills up while works hand files to each other, on Bun, Node and Deno: the app's
 * storage folder (LIT_STORAGE_DIR) is a small tmpfs mounted for the test (the tests run as root;
 * without the right to mount they are skipped, saying why). The fixture
 * test/fixtures/disk-full-app.ts hands a file or a Payload from root.writer to root.reader.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixture, runApp, RUNTIMES, type Runtime } from "./test-support/app-process.ts";

const APP = fixture("disk-full-app.ts");
const PAYLOAD_LINE = readFileSync(APP, "utf8").split("\n").findIndex((l) => l.includes("new L.Payload(bytes)")) + 1;
const MiB = 1024 * 1024;

let disk: string | undefined;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "lit-app-full-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=5m", "tmpfs", dir], { stdio: "pipe" });
    disk = dir;
  } catch (error) {
    const why = (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
    console.log(`skipping the full-disk tests: cannot mount a tmpfs here (${why})`);
    rmdirSync(dir);
  }
});

afterAll(() => {
  if (!disk) return;
  execFileSync("umount", [disk]);
  rmdirSync(disk);
});

beforeEach((ctx) => {
  if (!disk) return ctx.skip();
  for (const name of readdirSync(disk)) rmSync(join(disk, name), { recursive: true, force: true });
});

/** Every file under the disk, relative to it. */
function files(): string[] {
  return readdirSync(disk!, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(disk!.length + 1))
    .sort();
}

function run(runtime: Runtime, kind: "path" | "payload", mb: number) {
  return runApp(runtime, APP, { env: { LIT_STORAGE_DIR: disk!, LIT_NO_SERVER: "1", DISK_KIND: kind, DISK_MB: String(mb) } });
}

/** The failure message, as the app prints it. */
function failure(work: string, file: string, size: string, doing: string): string {
  const folder = join(disk!, "disk-full");
  return (
    `[lit-app] the app failed: ${work} failed: [storage] [local] no space left on the disk: cannot write "${file}" (${size}) ` +
    `in ${folder}/${work}. Nothing partial was kept. ${doing}; the works' storage folder is ${folder}. ` +
    "Free space on its disk, or set LIT_STORAGE_DIR to a folder on a larger one."
  );
}

describe.each(RUNTIMES)("a full disk on %s", (runtime) => {
  it("a file too big for a second copy fails its reader, naming the file, both works and the storage folder; nothing partial stays", async () => {
    const { app, exit } = await run(runtime, "path", 3);
    expect(exit, app.transcript()).toMatchObject({ code: 1, signal: null });
    expect(app.linesOf("root.writer").map((l) => l.text)).toEqual([`wrote ${3 * MiB} bytes`]);
    expect(app.linesOf("root.reader")).toEqual([]);
    // One line: the message says it all, no stack of the framework's copy.
    expect(app.output("stderr")).toBe(
      failure("root.reader", "weights.bin", "3.0 MB", 'root.reader was receiving the Path "weights.bin" from root.writer'),
    );
    expect(files()).toEqual(["disk-full/root.writer/.lit-storage/index.json", "disk-full/root.writer/weights.bin"]);
    expect(statSync(join(disk!, "disk-full/root.writer/weights.bin")).size).toBe(3 * MiB);
  });

  it("a Payload too big for a second copy fails its reader the same way", async () => {
    const { app, exit } = await run(runtime, "payload", 3);
    expect(exit, app.transcript()).toMatchObject({ code: 1, signal: null });
    const [message] = app.output("stderr").split("\n");
    const payload = files().find((f) => f.startsWith("disk-full/root.writer/.lit-payloads/"))!;
    const name = payload.slice("disk-full/root.writer/".length);
    expect(app.output("stderr")).toBe(failure("root.reader", name, "3.0 MB", "root.reader was receiving a Payload from root.writer"));
    expect(message).toMatch(/\.lit-payloads\/[0-9a-f]{64}/);
    expect(files()).toEqual([payload, "disk-full/root.writer/.lit-storage/index.json"]);
  });

  it("a Payload bigger than the disk fails its writer at the user's line; no temp file stays", async () => {
    const { app, exit } = await run(runtime, "payload", 6);
    expect(exit, app.transcript()).toMatchObject({ code: 1, signal: null });
    const [message, header, ...frames] = app.output("stderr").split("\n");
    expect(message).toMatch(/^\[lit-app\] the app failed: root\.writer failed: \[storage\] \[local\] no space left on the disk: cannot write "\.lit-payloads\/[0-9a-f]{64}" \(6\.0 MB\)/);
    expect(message).toContain(`root.writer was saving a Payload; the works' storage folder is ${join(disk!, "disk-full")}.`);
    expect(header).toMatch(/^NoSpaceError: /);
    // The stack is the user's: where the Payload was made, and no file of the framework.
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) expect(frame).toMatch(/test\/fixtures\/disk-full-app\.ts:\d+:\d+\)?$/);
    expect(frames[0]).toMatch(new RegExp(`disk-full-app\\.ts:${PAYLOAD_LINE}:\\d+\\)?$`));
    expect(files()).toEqual([]);
  });
});
