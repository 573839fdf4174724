/**
 * The `lit` command tells the truth about what went wrong: `lit run` exits non-zero, saying why,
 * when the app server it promises cannot start (a taken --port, a --listen that is not an address
 * of this machine, a --token too short), and the app does not start without it; an empty --port
 * is a usage error; an app command given a flag it does not take names that flag and lists the
 * command's flags. A name that is neither lit's nor a running app's command says so, suggests the
 * closest and lists them all (exit 2); lit's own names (deploy, ui) stay lit's even when the app
 * declares one. The fixture test/fixtures/command-app.ts prints
 * "work started" once its work runs.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, REPO, RUNTIMES, startApp, type AppProcess } from "./test-support/app-process.ts";

const APP = fixture("command-app.ts");
const LIT = join(REPO, "packages", "lit-app", "bin", "lit.mjs");
const home = mkdtempSync(join(tmpdir(), "lit-cli-test-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** `lit run <litArgs> command-app.ts` on Node, to its end. */
async function litRun(litArgs: string[]): Promise<{ app: AppProcess; code: number | null }> {
  const app = startApp("node", APP, { litArgs, env: { LIT_HOME: home } });
  const exit = await app.done(30_000);
  return { app, code: exit.code };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
}

describe.each(RUNTIMES)("lit run --runtime %s when the app server cannot start", (runtime) => {
  it("a taken --port: exit 1, saying which port, and the app does not start", async () => {
    const squatter = createServer();
    const port = await listen(squatter);
    try {
      const { app, code } = await litRun(["--runtime", runtime, "--port", String(port)]);
      expect(code, app.transcript()).toBe(1);
      expect(app.output("stderr")).toContain(`port ${port} on 127.0.0.1 is taken`);
      expect(app.indexOf("work started")).toBe(-1);
    } finally {
      squatter.close();
    }
  });

  it("a --listen address that is not this machine's: exit 1, naming it and what to listen on instead", async () => {
    // 192.0.2.0/24 is reserved for documentation: never an address of this machine.
    const { app, code } = await litRun(["--runtime", runtime, "--listen", "192.0.2.1", "--token", "a-token-long-enough-1234"]);
    expect(code, app.transcript()).toBe(1);
    expect(app.output("stderr")).toMatch(/cannot listen on "192\.0\.2\.1" \(.+\): it is not an address of this machine\. Listen on 127\.0\.0\.1/);
    expect(app.indexOf("work started")).toBe(-1);
  });
});

describe("lit run: bad server options", () => {
  it("--listen with a port in it: exit 1, saying to give the port apart", async () => {
    const { app, code } = await litRun(["--listen", "127.0.0.1:8080"]);
    expect(code, app.transcript()).toBe(1);
    expect(app.output("stderr")).toContain('cannot listen on "127.0.0.1:8080": it is not an address or a host name. To choose the port, give it apart: --listen 127.0.0.1 --port 8080.');
    expect(app.indexOf("work started")).toBe(-1);
  });

  it("--token too short: exit 1, saying how long it must be", async () => {
    const { app, code } = await litRun(["--token", "short"]);
    expect(code, app.transcript()).toBe(1);
    expect(app.output("stderr")).toContain("the token must be a string of at least 16 characters without spaces");
    expect(app.indexOf("work started")).toBe(-1);
  });

  it.each([
    [["--port", ""], 'lit run: --port takes a port number (0-65535; 0 picks a free one), got "".'],
    [["--port", "80x"], 'lit run: --port takes a port number (0-65535; 0 picks a free one), got "80x".'],
    [["--port", "70000"], 'lit run: --port takes a port number (0-65535; 0 picks a free one), got "70000".'],
    [["--listen", ""], "lit run: --listen takes an address to listen on, e.g. --listen 0.0.0.0 (every interface); got an empty one."],
  ])("%j is a usage error (exit 2) before the app is loaded", async (args, message) => {
    const { app, code } = await litRun(args);
    expect(code, app.transcript()).toBe(2);
    expect(app.output("stderr")).toBe(message);
  });
});

describe("lit <command> of a running app", () => {
  const lit = promisify(execFile);
  const env = { ...process.env, NO_COLOR: "1", LIT_HOME: home };
  let app: AppProcess;

  beforeAll(async () => {
    app = startApp("node", APP, { litArgs: ["--port", "0"], env: { LIT_HOME: home } });
    await app.waitFor("root.worker | work started");
  }, 60_000);
  afterAll(async () => {
    process.kill(app.pid, "SIGINT");
    await app.done(10_000);
  });

  it("a flag the command does not take is an error that names it and lists the command's flags (exit 2)", async () => {
    const wrong = await lit(process.execPath, [LIT, "add-item", "--name", "apple", "--cuont", "2"], { cwd: REPO, env }).catch((e: unknown) => e);
    expect((wrong as { code?: number }).code).toBe(2);
    expect((wrong as { stderr: string }).stderr.trim()).toBe(
      'lit add-item: the command "add-item" has no flag --cuont. Its flags: --name <string> (required), --count <number>, --urgent.',
    );

    const right = await lit(process.execPath, [LIT, "add-item", "--name", "apple", "--count", "2", "--urgent"], { cwd: REPO, env });
    expect(JSON.parse(right.stdout)).toEqual(["apple x2 (urgent)"]);
  });

  it("a misspelled app command: exit 2, naming the closest one and listing lit's and the app's commands; nothing is sent", async () => {
    const wrong = (await lit(process.execPath, [LIT, "add-itme", "--name", "pear"], { cwd: REPO, env }).catch((e: unknown) => e)) as {
      code?: number;
      stderr: string;
    };
    expect(wrong.code).toBe(2);
    const lines = wrong.stderr.trim().split("\n");
    expect(lines[0]).toBe('lit: unknown command "add-itme". Did you mean "add-item"?');
    expect(lines[1]).toBe("  lit's commands: run, hosts, deploy, status, stop, logs, ui, apps");
    expect(lines[2]).toMatch(/^ {2}commands of the running apps: .*\badd-item \(/);
    expect(lines[2]).toMatch(/\bdeploy \(/); // the fixture declares it; lit deploy is still lit's own
    const listed = await lit(process.execPath, [LIT, "add-item", "--name", "fig"], { cwd: REPO, env });
    expect(JSON.parse(listed.stdout)).toContain("fig x1");
    expect(JSON.parse(listed.stdout)).not.toContain("pear x1");
  });

  it("lit deploy is lit's own, never sent to the running app (which declares deploy): without a --host, a usage error (exit 2)", async () => {
    const result = (await lit(process.execPath, [LIT, "deploy", "--name", "x"], { cwd: REPO, env }).catch((e: unknown) => e)) as { code?: number; stderr: string };
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^lit deploy: required option '--host <compute=ssh-host>' not specified/);
    const items = await lit(process.execPath, [LIT, "add-item", "--name", "kiwi"], { cwd: REPO, env });
    expect(JSON.parse(items.stdout)).not.toContain("deployed x x1");
  });

  it("lit ui is lit's own, never sent to the running app: with no deployed app named, a usage error (exit 2)", async () => {
    const none = mkdtempSync(join(tmpdir(), "lit-cli-nohosts-"));
    try {
      const result = (await lit(process.execPath, [LIT, "ui", "--name", "x"], { cwd: REPO, env: { ...env, HOME: none } }).catch((e: unknown) => e)) as {
        code?: number;
        stdout: string;
        stderr: string;
      };
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr.trim()).toBe("lit ui: no app named x is deployed on the hosts lit knows. lit apps lists them.");
    } finally {
      rmSync(none, { recursive: true, force: true });
    }
  });
});

describe("lit's own commands, defined once", () => {
  const lit = promisify(execFile);
  const empty = mkdtempSync(join(tmpdir(), "lit-cli-none-"));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));
  // No known hosts either: a name that is no command here is not looked for on any host.
  const env = { ...process.env, NO_COLOR: "1", LIT_HOME: empty, HOME: empty };
  const fail = (args: string[]) =>
    lit(process.execPath, [LIT, ...args], { cwd: REPO, env }).then(
      () => ({ code: 0, stdout: "", stderr: "" }),
      (e: { code?: number; stdout: string; stderr: string }) => e,
    );

  it("lit --help lists lit's commands and app commands; lit run --help lists run's options (exit 0)", async () => {
    const { stdout } = await lit(process.execPath, [LIT, "--help"], { cwd: REPO, env });
    expect(stdout).toMatch(/^Usage: lit <command> \[options\]/);
    for (const name of ["run", "deploy", "status", "logs", "ui", "stop", "hosts", "apps"]) expect(stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    expect(stdout).toMatch(/^ {2}ui \[options\] +a tunnel from this machine to a deployed app.s$/m);
    expect(stdout).toContain("--name <name>               which deployed app (default: the only one)");
    expect(stdout).toContain("App commands:");
    const run = await lit(process.execPath, [LIT, "run", "--help"], { cwd: REPO, env });
    for (const flag of ["--runtime", "--port", "--listen", "--token", "--no-server", "--heap-mb", "--isolation", "--host"]) expect(run.stdout).toContain(flag);
  });

  it("a misspelled command with no app running: exit 2, the closest command, and the list", async () => {
    const { code, stderr } = await fail(["rnu", "app.ts"]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      [
        'lit: unknown command "rnu". Did you mean "run"?',
        "  lit's commands: run, hosts, deploy, status, stop, logs, ui, apps",
        "  no app is running on this machine, so there are no app commands (start one with lit run app.ts)",
        "Run lit --help for the options.",
        "",
      ].join("\n"),
    );
    expect((await fail(["deplyo"])).stderr).toMatch(/^lit: unknown command "deplyo"\. Did you mean "deploy"\?\n/);
    expect((await fail(["zzzzzz"])).stderr).toMatch(/^lit: unknown command "zzzzzz"\.\n/);
  });

  it("an option run does not take: exit 2, naming it and the closest option", async () => {
    const { code, stderr } = await fail(["run", "--prot", "8080", "app.ts"]);
    expect(code).toBe(2);
    expect(stderr).toBe("lit run: unknown option '--prot'\n(Did you mean --port?)\n(lit run --help lists its options)\n");
    const none = await fail([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Usage: lit <command>/);
  });
});
