/**
 * Only the app's own file, run as the program, starts the app. A script, `bun test` or
 * `node --test` that imports the app's file gets the app object and the app does not start;
 * on Bun, Deno and Node (through tsx). Real processes on the fixtures in test/fixtures/import-app.
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DIR = fileURLToPath(new URL("../test/fixtures/import-app/", import.meta.url));
const BIN = fileURLToPath(new URL("../../../node_modules/.bin/", import.meta.url));
const STARTED = "root.hello | the app started";

interface Run {
  code: number | null;
  output: string;
}

/** Runs `command` in the fixtures' folder, outside vitest (whose variables an app reads as "do not start"). */
function run(command: string, args: string[]): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  for (const key of Object.keys(env)) if (key.startsWith("VITEST")) delete env[key];
  const child = spawn(command, args, { cwd: DIR, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (output += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (output += t));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

const node = (...args: string[]) => run(process.execPath, ["--import", "tsx", ...args]);
const bun = (...args: string[]) => run(`${BIN}bun`, args);
const deno = (...args: string[]) => run(`${BIN}deno`, args);

describe("importing an app's file does not start the app", () => {
  it.each([
    ["bun run", () => bun("run", "import-script.ts")],
    ["deno run", () => deno("run", "-A", "import-script.ts")],
    ["node (tsx)", () => node("import-script.ts")],
  ])("a script run with %s gets the app, which does not start", async (_how, start) => {
    const { code, output } = await start();
    expect({ code, output }).toEqual({ code: 0, output: "imported Root\n" });
  });

  it("bun test: a test file that imports it passes, and the app does not start", async () => {
    const { code, output } = await bun("test", "./bun-import.test.ts");
    expect(code, output).toBe(0);
    expect(output).toContain("1 pass");
    expect(output).toContain("imported Root");
    expect(output).not.toContain(STARTED);
    expect(output).not.toContain("[lit-app]");
  });

  it("node --test: a test file that imports it passes, and the app does not start", async () => {
    const { code, output } = await node("--test", "node-import.test.ts");
    expect(code, output).toBe(0);
    expect(output).toContain("# pass 1");
    expect(output).not.toContain(STARTED);
    expect(output).not.toContain("[lit-app]");
  });
});

describe("running the app's file starts it", () => {
  it.each([
    ["bun run", () => bun("run", "app.ts")],
    ["deno run", () => deno("run", "-A", "app.ts")],
    ["node (tsx)", () => node("app.ts")],
  ])("%s app.ts", async (_how, start) => {
    const { code, output } = await start();
    expect(code, output).toBe(0);
    expect(output.split("\n")).toContain(STARTED);
  });
});
