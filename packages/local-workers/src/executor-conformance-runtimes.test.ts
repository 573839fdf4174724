/**
 * The executor conformance suite (executor-conformance.test.ts) on Bun and
 * Deno: the same file, run by `bun test` (which reads vitest's API) and by
 * `deno test` (pointed at test-support/deno-vitest.ts, since vitest does not
 * load on Deno). Node runs it under vitest itself.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));
const BIN = fileURLToPath(new URL("../../../node_modules/.bin/", import.meta.url));
const SUITE = "./src/executor-conformance.test.ts";
const COMMANDS = {
  bun: [join(BIN, "bun"), ["test", SUITE]],
  deno: [join(BIN, "deno"), ["test", "-A", "--import-map=src/test-support/deno-vitest.json", SUITE]],
} as const;

/** Runs `cmd` in the package's folder; its exit code and everything it printed. */
function run(cmd: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { cwd: PACKAGE, env: { ...process.env, NO_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the executor conformance suite on Bun and Deno", () => {
  it.each(["bun", "deno"] as const)("passes on %s, for every executor", async (runtime) => {
    const [cmd, args] = COMMANDS[runtime];
    const { code, output } = await run(cmd, args);
    expect(output).toContain("executor conformance: worker threads");
    expect(output).toContain("executor conformance: child processes");
    expect(output, output).not.toMatch(/\(fail\)|FAILED/);
    expect(code, output).toBe(0);
  }, 180_000);
});
