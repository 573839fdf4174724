import * as L from "@lit-app/core";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import { findRunningApps, listCommands, parseCommandArgv, runCommand } from "./index.ts";
import { RemoteError } from "./errors.ts";
import { RequestsFlow } from "./test-support/fixtures.ts";
import { post } from "./test-support/http.ts";
import { serveApp, tempLitHome, until, type ServedApp } from "./test-support/serve-app.ts";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("./test-support/command-process.ts", import.meta.url));

let served: ServedApp | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function second(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: any }> {
  try {
    const { stdout } = await run(process.execPath, ["--import", "tsx", SCRIPT, ...args], { env: { ...process.env, ...env } });
    return { code: 0, out: JSON.parse(stdout) };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, out: JSON.parse(e.stdout) };
  }
}

describe("configureCommands()", () => {
  test("lists commands with their arguments' JSON Schema and runs them with validated arguments", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const commands = await listCommands(served.url);
    expect(commands.map((c) => c.name)).toEqual(["clear", "count"]);
    expect(commands[0]).toMatchObject({ flow: "root", description: "Drops requests after the first `keep`.", args: { type: "object", properties: { keep: { type: "integer" } } } });

    served.engine.applyDelta([{ op: "replace", path: "/components/root/vars/requests", value: [{ name: "a" }, { name: "b" }, { name: "c" }] }]);
    expect(await runCommand(served.url, "count")).toBe(3);
    expect(await runCommand(served.url, "clear", { keep: 1 })).toEqual({ removed: 2 });
    expect(served.engine.stateDocument().components.root!.vars.requests).toEqual([{ name: "a" }]);
    await until(() => served!.engine.stateDocument().components.root!.vars.handled === 1, "the flow to re-run after the command");

    const bad = await runCommand(served.url, "clear", { keep: -1 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(RemoteError);
    expect((bad as RemoteError).status).toBe(400);
    expect((bad as Error).message).toMatch(/invalid arguments of the command "clear":[\s\S]*keep/);
    const unknown = await runCommand(served.url, "explode").catch((e: unknown) => e);
    expect((unknown as RemoteError).status).toBe(404);
    expect((unknown as Error).message).toContain("Its commands: clear, count.");
  });

  test("a command run from a second process finds the app on this machine and changes its state", async () => {
    const home = tempLitHome();
    served = await serveApp(new L.LightningApp(new RequestsFlow(), { name: "requests" }));
    served.engine.applyDelta([{ op: "replace", path: "/components/root/vars/requests", value: [{ name: "a" }, { name: "b" }] }]);

    const cli = await second(["clear", "--keep", "0"], { LIT_HOME: home });
    expect(cli).toEqual({ code: 0, out: { result: { removed: 2 } } });
    expect(served.engine.stateDocument().components.root!.vars.requests).toEqual([]);

    const direct = await second(["--url", served.url, "count", "{}"]);
    expect(direct).toEqual({ code: 0, out: { result: 0 } });

    const wrong = await second(["clear", "--keep", "many"], { LIT_HOME: home });
    expect(wrong.code).toBe(1);
    expect(wrong.out.error).toBe('--keep must be a number, got "many".');
  });

  test("a second process with no app running says how to start one", async () => {
    const home = tempLitHome();
    const res = await second(["count"], { LIT_HOME: home });
    expect(res.code).toBe(1);
    expect(res.out).toEqual({ error: "no app is running on this machine: start one with `lit run app.ts`, then run the command again.", code: "E_APP_NOT_FOUND" });
  });
});

describe("discovery files", () => {
  test("a server writes <lit home>/apps/<pid>-<port>.json (mode 0600) and removes it on close", async () => {
    const home = tempLitHome();
    served = await serveApp(new L.LightningApp(new RequestsFlow(), { name: "disc" }));
    const dir = join(home, "apps");
    const file = join(dir, `${process.pid}-${served.server.port}.json`);
    expect(readdirSync(dir)).toEqual([`${process.pid}-${served.server.port}.json`]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ pid: process.pid, name: "disc", url: served.url, port: served.server.port });
    expect((await findRunningApps()).map((a) => a.name)).toEqual(["disc"]);
    await served.stop();
    served = undefined;
    expect(existsSync(file)).toBe(false);
    expect(await findRunningApps()).toEqual([]);
  });
});

describe("parseCommandArgv", () => {
  const schema = {
    type: "object",
    properties: {
      username: { type: "string" },
      useGpu: { type: "boolean" },
      count: { type: "integer" },
      tags: { type: "array", items: { type: "string" } },
      opts: { type: "object" },
    },
  };
  test("reads --key value, --key=value, flags, --no-flag, kebab-case and repeated keys with the schema's types", () => {
    expect(
      parseCommandArgv(["--username", "alice", "--use-gpu", "--count=3", "--tags", "a", "--tags", "b", "--opts", '{"x":1}'], schema),
    ).toEqual({ username: "alice", useGpu: true, count: 3, tags: ["a", "b"], opts: { x: 1 } });
    expect(parseCommandArgv(["--no-useGpu", "--username", "007"], schema)).toEqual({ useGpu: false, username: "007" });
    expect(parseCommandArgv(["--useGpu", "false"], schema)).toEqual({ useGpu: false });
    expect(parseCommandArgv(["--other", "x"])).toEqual({ other: "x" });
  });
  test("says which argument is wrong", () => {
    expect(() => parseCommandArgv(["--count", "x"], schema)).toThrow('--count must be a number, got "x".');
    expect(() => parseCommandArgv(["alice"], schema)).toThrow('unexpected argument "alice": give arguments as --key value.');
    expect(() => parseCommandArgv(["--opts", "{"], schema)).toThrow("--opts must be a JSON object");
  });
});

/** A flow whose command stores what it is given. */
class Store extends L.LightningFlow {
  items: unknown[] = [];
  count = 0;
  run() {
    this.count = this.items.length;
  }
  add(args: Record<string, unknown>) {
    this.items.push(args.item);
    return this.items.length;
  }
  override configureCommands() {
    return [new L.Command("add", this.add)];
  }
}

describe("command bodies and what handlers store are bounded like state", () => {
  test("arguments nested deeper than the app's maxDepth are 400; a handler's write past maxStateBytes is 413 and not made", async () => {
    served = await serveApp(new L.LightningApp(new Store(), { limits: { maxDepth: 16, maxStateBytes: 64 * 1024 } }));
    const url = `${served.url}/api/v1/commands/add`;
    const deep = await post(url, `{"item":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    expect(deep.status).toBe(400);
    expect(deep.body.error).toMatchObject({ code: "E_STATE_LIMIT", limit: "depth" });
    expect(deep.body.error.message).toContain("command add: the body nests arrays and objects more than 16 levels deep");

    expect(await post(url, { item: "x".repeat(40_000) })).toEqual({ status: 200, body: { result: 1 } });
    const over = await post(url, { item: "y".repeat(40_000) });
    expect(over.status).toBe(413);
    expect(over.body.error).toMatchObject({ code: "E_STATE_LIMIT", limit: "stateBytes", component: "root" });
    expect(over.body.error.message).toMatch(/over its limit of 64 KiB \(maxStateBytes\); it was not stored/);
    expect(served.engine.stateDocument().components.root!.vars.items).toEqual(["x".repeat(40_000)]);
    expect(await post(url, { item: "small" })).toEqual({ status: 200, body: { result: 2 } });
    await until(() => served!.engine.stateDocument().components.root!.vars.count === 2, "the flow to re-run");
  });
});
