/**
 * The remote executor with Bun as the controller's runtime (its global
 * WebSocket): the conformance suite and the fault tests, run by `bun test`
 * (which reads vitest's API). Node runs them under vitest itself.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PACKAGE = fileURLToPath(new URL("../..", import.meta.url));
const BUN = fileURLToPath(new URL("../../../../node_modules/.bin/bun", import.meta.url));

function run(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BUN, [...args], { cwd: PACKAGE, env: { ...process.env, NO_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the remote executor on Bun", () => {
  it("passes the conformance suite and the fault tests", async () => {
    const { code, output } = await run(["test", "./src/client/conformance.test.ts", "./src/client/faults.test.ts"]);
    expect(output).toContain("executor conformance: remote (agent on loopback)");
    expect(output).toContain("the agent killed mid-run and started again");
    expect(output, output).not.toMatch(/\(fail\)/);
    expect(code, output).toBe(0);
  }, 240_000);
});
