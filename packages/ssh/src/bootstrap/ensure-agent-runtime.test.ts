import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAgentBundle } from "@lit-app/gpu-agent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHost } from "../connect-host.ts";
import { type SshFixture, sshFixture } from "../test-support/fixture.ts";
import { waitGone } from "../test-support/wait-gone.ts";
import { startSshd } from "../test-support/sshd.ts";
import { findBunRuntime } from "./bun-runtime.ts";
import { type AgentBundleLike, ensureAgent } from "./ensure-agent.ts";

/** The POSIX tools the bootstrap uses on a host; the host's PATH holds these and no runtime. */
const TOOLS = ["uname", "ls", "sed", "head", "tr", "cut", "grep", "df", "awk", "mkdir", "cat", "wc", "rm", "chmod", "mv", "tail", "env", "dirname", "sleep", "ps"];

let f: SshFixture;
let bundle: AgentBundleLike;
let bin: string;
let litHome: string;
const pids = new Set<number>();

beforeAll(async () => {
  bin = mkdtempSync(join(tmpdir(), "lit-no-runtime-bin-"));
  for (const tool of TOOLS) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
  [f, bundle] = await Promise.all([sshFixture({ sshd: { config: [`SetEnv PATH=${bin}`] } }), buildAgentBundle()]);
  litHome = mkdtempSync(join(tmpdir(), "lit-home-"));
});
afterAll(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {}
  }
  await f?.close();
  rmSync(litHome, { recursive: true, force: true });
  rmSync(bin, { recursive: true, force: true });
});

describe("ensureAgent on a host whose PATH has no runtime", () => {
  it("the host really has neither bun nor node", async () => {
    const host = await connectHost("box", { env: f.env });
    expect((await host.exec("command -v node || command -v bun || echo none")).stdout.trim()).toBe("none");
    await host.close();
  });

  it("uploads Bun from its npm platform package, once, and the agent runs on it", async () => {
    const local = findBunRuntime({ os: "linux", arch: "x64", musl: false });
    if ("missing" in local) throw new Error(`${local.missing} is not installed here`);
    const host = await connectHost("box", { env: f.env });
    const t = performance.now();
    const agent = await ensureAgent(host, { bundle, home: litHome, progress: false });
    const s = (performance.now() - t) / 1000;
    pids.add(agent.pid);
    console.log(
      `ensureAgent with a Bun upload (${(local.size / (1 << 20)).toFixed(0)} MiB runtime + ${(bundle.code.length / (1 << 20)).toFixed(1)} MiB bundle): ` +
        `${s.toFixed(1)} s, ${(host.stats.uploadedBytes / (1 << 20) / s).toFixed(0)} MiB/s overall`,
    );
    const runtimePath = join(litHome, "runtimes", local.name);
    expect(agent).toMatchObject({ started: true, runtime: "bun", runtimeVersion: local.version });
    expect(agent.uploaded).toEqual([runtimePath, join(litHome, "bundles", `${bundle.hash}.mjs`)]);
    expect(statSync(runtimePath).size).toBe(local.size);
    expect(statSync(runtimePath).mode & 0o111).not.toBe(0);
    await host.close();

    // Again, after the agent was killed: the runtime and the bundle are on the host already.
    process.kill(agent.pid, "SIGKILL");
    const again = await connectHost("box", { env: f.env });
    expect(await waitGone(again, agent.pid)).toBe(true);
    const restarted = await ensureAgent(again, { bundle, home: litHome, progress: false });
    pids.add(restarted.pid);
    expect(restarted).toMatchObject({ started: true, runtime: "bun", uploaded: [] });
    expect(again.stats.uploads).toBe(0);
    await again.close();
  });

  it("names the Bun package to install when the host's architecture has none here", async () => {
    // A host that reports another architecture: the `uname` on its PATH says aarch64.
    const armBin = mkdtempSync(join(tmpdir(), "lit-arm-bin-"));
    for (const tool of TOOLS.filter((t) => t !== "uname")) symlinkSync(`/usr/bin/${tool}`, join(armBin, tool));
    writeFileSync(join(armBin, "uname"), "#!/bin/sh\necho Linux aarch64\n", { mode: 0o755 });
    const arm = await startSshd({ authorizedKeys: [f.key.publicLine], config: [`SetEnv PATH=${armBin}`] });
    try {
      f.addHost("arm", ["HostName 127.0.0.1", `Port ${arm.port}`]);
      f.trust(arm);
      const host = await connectHost("arm", { env: f.env });
      const e = await ensureAgent(host, { bundle, home: join(litHome, "arm"), progress: false }).catch((err) => err);
      await host.close();
      expect(e).toMatchObject({ name: "SshNoRuntimeError", code: "E_SSH_NO_RUNTIME" });
      expect(e.message).toContain("neither bun nor node is on its PATH");
      expect(e.message).toContain("(@oven/bun-linux-aarch64) is not installed here");
      expect(e.message).toMatch(/npm install --no-save --os=linux --cpu=arm64 @oven\/bun-linux-aarch64@\d+\.\d+\.\d+/);
      expect(host.stats.uploads).toBe(0);
    } finally {
      await arm.stop();
      rmSync(armBin, { recursive: true, force: true });
    }
  });
});
