/**
 * The app's thread starts early, from a guess on the main module's source, in a program run
 * directly. A script whose source builds an app that never starts must end as it would
 * without lit-app's guess: at once, with its own output only. Real processes on Bun, Node
 * (tsx) and Deno (where the thread never starts early).
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DIR = fileURLToPath(new URL("../../test/fixtures/early-start/", import.meta.url));
const BIN = fileURLToPath(new URL("../../../../node_modules/.bin/", import.meta.url));

/** Runs `command` in the fixtures' folder, outside vitest (whose variables keep the thread from starting early). */
function run(command: string, args: string[]): Promise<{ code: number | null; output: string; ms: number }> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  for (const key of Object.keys(env)) if (key.startsWith("VITEST")) delete env[key];
  const started = performance.now();
  const child = spawn(command, args, { cwd: DIR, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (output += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (output += t));
  // Ended if it hangs, so that the test fails on its assertions rather than on vitest's timeout.
  const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, output, ms: performance.now() - started });
    }),
  );
}

describe("a script whose source builds an app that never starts", () => {
  it.each([
    ["bun run", () => run(`${BIN}bun`, ["run", "builds-no-app.ts"])],
    ["node (tsx)", () => run(process.execPath, ["--import", "tsx", "builds-no-app.ts"])],
    ["deno run", () => run(`${BIN}deno`, ["run", "-A", "builds-no-app.ts"])],
  ])("%s: ends by itself with exit 0 and its own output only", async (_how, start) => {
    const { code, output, ms } = await start();
    expect({ code, output }).toEqual({ code: 0, output: "lit-app loaded, function\n" });
    // Not kept alive by a thread waiting for an app (the guard kills it at 20 s).
    expect(ms).toBeLessThan(15_000);
  }, 30_000);
});
