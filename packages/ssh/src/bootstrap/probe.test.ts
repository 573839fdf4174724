import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHost } from "../connect-host.ts";
import type { SshHost } from "../ssh-host.ts";
import { type SshFixture, sshFixture } from "../test-support/fixture.ts";
import { probeHost } from "./probe.ts";

let f: SshFixture;
let host: SshHost;
let home: string;
const hash = "a".repeat(64);

beforeAll(async () => {
  f = await sshFixture();
  host = await connectHost("box", { env: f.env });
  home = mkdtempSync(join(tmpdir(), "lit-home-"));
  mkdirSync(join(home, "agent"));
  writeFileSync(join(home, "agent", "token"), `${"t".repeat(43)}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await host?.close();
  await f?.close();
  rmSync(home, { recursive: true, force: true });
});

const agentJson = (pid: number) =>
  writeFileSync(join(home, "agent", "agent.json"), JSON.stringify({ version: "1.0.0", pid, port: 4000, startedAt: "2026-01-01T00:00:00Z", runtime: "node", runtimeVersion: "20.0.0", bundleHash: hash }));

describe("probeHost", () => {
  it("stops early when the agent of the bundle runs, and counts a zombie agent as dead", async () => {
    // A parent that never reaps its child: `true` exits and stays a zombie under `sleep`.
    const pids = join(home, "pids");
    // The child outlives the exec, so its parent is then sleep, which never reaps it (a true could end first
    // and be reaped by the shell itself, leaving no zombie).
    await host.exec(`sh -c 'sleep 0.1 & echo $! > ${pids}; exec sleep 30' >/dev/null 2>&1 &`);
    // The exec returns as the shell goes to the background: the file may not be written (or made) yet.
    const written = () => {
      try {
        return readFileSync(pids, "utf8").trim();
      } catch {
        return "";
      }
    };
    for (let i = 0; i < 250 && !written(); i++) await new Promise((r) => setTimeout(r, 20));
    const zombie = Number(written());
    expect(zombie, `the pid the host's shell wrote to ${pids}`).toBeGreaterThan(1);
    const sleeper = Number((await host.exec(`ps -o ppid= -p ${zombie}`)).stdout.trim());
    expect(sleeper, `the parent of ${zombie}`).toBeGreaterThan(1);
    try {
      const stat = async () => (await host.exec(`ps -o stat= -p ${zombie}`)).stdout.trim();
      for (let i = 0; i < 100 && !(await stat()).startsWith("Z"); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await stat()).toMatch(/^Z/);
      agentJson(zombie);
      const dead = await probeHost(host, home, hash);
      expect(dead).toMatchObject({ complete: true, agent: { pid: zombie, alive: false }, token: "t".repeat(43) });
      expect(dead.uname).toMatch(/^Linux /);

      agentJson(sleeper);
      const live = await probeHost(host, home, hash);
      expect(live).toMatchObject({ complete: false, agent: { pid: sleeper, alive: true, bundleHash: hash }, token: "t".repeat(43) });
    } finally {
      // Never 0 or 1: a ppid that could not be read would make this kill the test runner's whole group.
      if (sleeper > 1) process.kill(sleeper, "SIGKILL");
    }
  });

  it("ignores a token file readable by others and an agent.json that is not one", async () => {
    writeFileSync(join(home, "agent", "token"), `${"t".repeat(43)}\n`, { mode: 0o644 });
    chmodSync(join(home, "agent", "token"), 0o644);
    writeFileSync(join(home, "agent", "agent.json"), '{"version": 1, "pid": "x"}');
    const p = await probeHost(host, home, hash);
    expect(p.token).toBeUndefined();
    expect(p.agent).toBeUndefined();
  });
});
