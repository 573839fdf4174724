// The same server code on Node, Bun and Deno: each serves a small app, takes a delta and pushes changes over its WebSocket.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const FIXTURE = fileURLToPath(new URL("./test-support/runtime-fixture.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const commands: Record<string, [string, string[]]> = {
  node: [process.execPath, ["--experimental-websocket", "--no-warnings", "--import", "tsx", FIXTURE]],
  bun: [join(dirname(require.resolve("bun/package.json")), "bin", "bun.exe"), [FIXTURE]],
  deno: [join(dirname(require.resolve("deno/package.json")), "deno"), ["run", "-A", FIXTURE]],
};

describe("runtimes", () => {
  for (const [name, [cmd, args]] of Object.entries(commands)) {
    test(`serves an app on ${name}`, { timeout: 60_000 }, async () => {
      const { stdout } = await run(cmd, args, { cwd: ROOT, timeout: 55_000 });
      expect(JSON.parse(stdout.trim().split("\n").at(-1)!)).toEqual({ runtime: name, delta: 200, said: "hi", first: "state", patches: true });
    });
  }
});
