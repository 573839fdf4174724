/**
 * The docs' guides "Moving to your own machines" and "Deploying", run as the
 * pages tell a reader to: the ~/.ssh/config and ~/.lit/host.json the pages
 * show set up the test hosts' laptop and GPU host, and each command the pages
 * show (the same files the pages include) runs on the laptop, in the example
 * app's folder, with `npx`; what it prints must hold the lines the pages show.
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { TestHosts } from "@lit-app/test-hosts";
import { useTestHosts } from "@lit-app/test-hosts/vitest";
import { REPO } from "../test-support/app-process.ts";
import { docsCommand, docsExample, expectSample } from "../test-support/docs-examples.ts";

/** The Host blocks of the page's ~/.ssh/config: alias → its keywords, as written. */
function sshBlocks(text: string): Map<string, Map<string, string>> {
  const blocks = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [key = "", ...rest] = line.split(/\s+/);
    if (key === "Host") blocks.set(rest.join(" "), (current = new Map()));
    else current?.set(key, rest.join(" "));
  }
  return blocks;
}

const SSH_CONFIG = docsExample("own-machines/ssh-config");
const BLOCKS = sshBlocks(SSH_CONFIG);
// The hosts as the page's config has them (its ports); the GPU host on Bun, the other on Node.
const th = useTestHosts({
  hosts: [...BLOCKS].map(([name, keys]) => ({ name, runtime: name === "gpu-box" ? ("bun" as const) : ("node" as const), port: Number(keys.get("Port") ?? 22) })),
});

/**
 * The page's ~/.ssh/config with each host's address and user put in place of the
 * page's (every other line as the page has it, IdentityFile ~/.ssh/id_ed25519 included).
 */
function laptopSshConfig(hosts: TestHosts): string {
  let alias = "";
  return SSH_CONFIG.split("\n")
    .map((raw) => {
      const [key, value] = raw.trim().split(/\s+/);
      if (key === "Host") alias = value!;
      if (key === "HostName") return raw.replace(value!, hosts.host(alias).address);
      if (key === "User") return raw.replace(value!, hosts.host(alias).user);
      return raw;
    })
    .join("\n");
}

/**
 * Starts a command a page shows, on the laptop, in `folder` (examples/<folder>), in a process group of its own
 * (as a shell runs it), so that `interrupt()` is a Ctrl-C: SIGINT to npx and the lit it started.
 */
function startPageCommand(hosts: TestHosts, folder: string, file: string) {
  const argv = docsCommand(file);
  const c = hosts.laptop.command(argv[0]!, argv.slice(1), { NO_COLOR: "1" });
  const child = spawn(c.file, c.args, { cwd: join(REPO, "examples", folder), env: c.env, stdio: "pipe", detached: true });
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, name);
    } catch {
      // The group is gone.
    }
  };
  const out: string[] = [];
  const err: string[] = [];
  const all: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (l) => (out.push(l), all.push(`  ${l}`)));
  createInterface({ input: child.stderr! }).on("line", (l) => (err.push(l), all.push(`! ${l}`)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => setTimeout(() => resolve(c), 50)));
  /** Resolves to its exit code, or kills it and rejects after `ms`. */
  const ended = async (ms = 120_000) => {
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => (signal("SIGKILL"), reject(new Error(`${argv.join(" ")} did not end within ${ms} ms:\n${all.join("\n")}`))), ms);
      }),
    ]).finally(() => clearTimeout(timer));
    if (process.env.DOCS_SHOW) console.log(`$ ${argv.join(" ")}\n${all.join("\n")}`);
    return { code, out, err, text: all.join("\n") };
  };
  /** Whether any process of its group (npx, lit) is left. */
  const running = () => {
    try {
      return child.pid !== undefined && process.kill(-child.pid, 0);
    } catch {
      return false;
    }
  };
  return { child, out, err, ended, running, interrupt: () => signal("SIGINT"), text: () => all.join("\n") };
}

/** Runs a command a page shows, on the laptop, in `folder` (examples/<folder>), to its end. */
async function pageCommand(hosts: TestHosts, folder: string, file: string, ms = 120_000) {
  return startPageCommand(hosts, folder, file).ended(ms);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the docs' host guides, as a reader runs them (node)", () => {
  beforeAll(async () => {
    const hosts = th();
    writeFileSync(hosts.laptop.sshConfigPath, laptopSshConfig(hosts), { mode: 0o600 });
    await hosts.host("gpu-box").writeFile(".lit/host.json", docsExample("own-machines/host.json"));
  });

  it("13 own machines: lit run --host with the page's ~/.ssh/config and host.json; lit hosts; an unknown host key", async () => {
    const hosts = th();
    const run = await pageCommand(hosts, "hosts", "own-machines/run.sh");
    expect(run.code, run.text).toBe(0);
    expectSample(run.out, "own-machines/run-output.txt", run.text);
    // Where each work ran, as lit notes it.
    expect(run.text).toContain("root.prepare | [lit-app] root.prepare runs on cpu-box");
    expect(run.text).toContain("root.train | [lit-app] root.train runs on gpu-box");
    expect(run.text).toContain("root.evaluate | [lit-app] root.evaluate runs on cpu-box");

    const report = await pageCommand(hosts, "hosts", "own-machines/hosts.sh");
    expect(report.code, report.text).toBe(0);
    expectSample(report.out, "own-machines/hosts-output.txt", report.text);

    // A machine whose host key is not in known_hosts is refused, with the command that trusts it.
    const cpu = hosts.host("cpu-box");
    hosts.laptop.untrust(cpu);
    try {
      const refused = await pageCommand(hosts, "hosts", "own-machines/run.sh");
      expect(refused.code, refused.text).toBe(1);
      expectSample(refused.err, "own-machines/unknown-key-output.txt", refused.text);
    } finally {
      hosts.laptop.trust(cpu);
    }
  }, 180_000);

  it("14 deploying: lit deploy, status, ui, logs, apps, stop, --resume", async () => {
    const hosts = th();
    const deployed = await pageCommand(hosts, "training", "deploying/deploy.sh");
    expect(deployed.code, deployed.text).toBe(0);
    expectSample(deployed.out, "deploying/deploy-output.txt", deployed.text);

    // The page shows lit status while the GPU work trains.
    let status = await pageCommand(hosts, "training", "deploying/status.sh");
    for (let i = 0; i < 40 && !status.out.some((l) => l.startsWith("  root.train  work  running")); i++) {
      await sleep(250);
      status = await pageCommand(hosts, "training", "deploying/status.sh");
    }
    expect(status.code, status.text).toBe(0);
    expectSample(status.out, "deploying/status-output.txt", status.text);

    // lit ui, while the app runs: the URL it prints is the app's server, through SSH; Ctrl-C closes it.
    const ui = startPageCommand(hosts, "training", "deploying/ui.sh");
    for (let i = 0; i < 600 && ui.out.length === 0 && ui.child.exitCode === null; i++) await sleep(100);
    const url = ui.out[0] ?? "";
    expect(url, ui.text()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const state = await hosts.laptop.fetch(`${url}/api/v1/state`);
    expect(state.status, state.body).toBe(200);
    expect(Object.keys((JSON.parse(state.body) as { components: object }).components)).toContain("root.train");
    ui.interrupt();
    const closed = await ui.ended(30_000);
    // npx ends by the signal, as in a terminal; lit closes the tunnel and ends too.
    for (let i = 0; i < 100 && ui.running(); i++) await sleep(100);
    expect(ui.running(), closed.text).toBe(false);
    expectSample([...closed.out, ...closed.err], "deploying/ui-output.txt", closed.text);

    // The page shows lit logs once the training is done (the app then runs on until lit stop).
    let logs = await pageCommand(hosts, "training", "deploying/logs.sh");
    for (let i = 0; i < 120 && !logs.out.some((l) => l.startsWith("flow: trained")); i++) {
      await sleep(500);
      logs = await pageCommand(hosts, "training", "deploying/logs.sh");
    }
    expect(logs.code, logs.text).toBe(0);
    expectSample(logs.out, "deploying/logs-output.txt", logs.text);

    const train = await pageCommand(hosts, "training", "deploying/logs-train.sh");
    expect(train.code, train.text).toBe(0);
    expect(train.out.every((l) => l.startsWith("root.train | ")), train.text).toBe(true);
    expectSample(train.out, "deploying/logs-train-output.txt", train.text);

    const apps = await pageCommand(hosts, "training", "deploying/apps.sh");
    expect(apps.code, apps.text).toBe(0);
    expectSample(apps.out, "deploying/apps-output.txt", apps.text);

    const stopped = await pageCommand(hosts, "training", "deploying/stop.sh");
    expect(stopped.code, stopped.text).toBe(0);
    expectSample(stopped.out, "deploying/stop-output.txt", stopped.text);

    // Deployed again with --resume: it starts from the state it had, so neither work runs its call again.
    const resumed = await pageCommand(hosts, "training", "deploying/resume.sh");
    expect(resumed.code, resumed.text).toBe(0);
    expectSample(resumed.out, "deploying/resume-output.txt", resumed.text);
    const again = await pageCommand(hosts, "training", "deploying/logs.sh");
    expect(again.out.filter((l) => l === "root.prepare | prepared 1000 rows"), again.text).toHaveLength(1);
    expect(again.out.filter((l) => l.startsWith("root.train | epoch 1/")), again.text).toHaveLength(1);
    const stoppedAgain = await pageCommand(hosts, "training", "deploying/stop.sh");
    expect(stoppedAgain.code, stoppedAgain.text).toBe(0);
  }, 240_000);
});
