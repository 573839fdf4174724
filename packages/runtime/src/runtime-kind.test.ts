import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { runtimeKind } from "./index.ts";

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL("../test/fixtures/report.ts", import.meta.url));
const BIN = fileURLToPath(new URL("../../../node_modules/.bin/", import.meta.url));
const COMMANDS = {
  node: ["node", ["--import", "tsx", FIXTURE]],
  bun: [join(BIN, "bun"), ["run", FIXTURE]],
  deno: [join(BIN, "deno"), ["run", "-A", FIXTURE]],
} as const;

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("runtimeKind", () => {
  it("is node under vitest on Node", () => {
    expect(runtimeKind()).toBe("node");
  });

  it.each(["bun", "deno", "node"] as const)("tells %s, whose files it writes whole", async (runtime) => {
    const dir = await mkdtemp(join(tmpdir(), "lit-runtime-"));
    dirs.push(dir);
    const [command, args] = COMMANDS[runtime];
    const { stdout } = await run(command, [...args, dir], { env: { ...process.env, NO_COLOR: "1" } });
    expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual({ runtime, sync: "sync", async: "async" });
    expect((await readdir(dir)).sort()).toEqual(["async.txt", "sync.txt"]);
  });
});
