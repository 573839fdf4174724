import { createHash } from "node:crypto";
import { request } from "node:http";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAgentBundle } from "@lit-app/gpu-agent";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHost } from "../connect-host.ts";
import type { SshHost } from "../ssh-host.ts";
import { type SshFixture, sshFixture } from "../test-support/fixture.ts";
import { waitGone } from "../test-support/wait-gone.ts";
import { type AgentBundleLike, ensureAgent } from "./ensure-agent.ts";
import type { BootstrapEvent } from "./progress.ts";

let f: SshFixture;
let bundle: AgentBundleLike;
let litHome: string;
const pids = new Set<number>();
/** Lit homes removed after the agents in them are stopped. */
const homes: string[] = [];

beforeAll(async () => {
  [f, bundle] = await Promise.all([sshFixture(), buildAgentBundle()]);
  litHome = mkdtempSync(join(tmpdir(), "lit-home-"));
});
afterAll(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {}
  }
  await f?.close();
  for (const home of [litHome, ...homes]) rmSync(home, { recursive: true, force: true });
});

/** GET /v1/host through a listener that forwards to the agent's port on the host. */
async function hostReport(host: SshHost, port: number, token: string): Promise<{ status: number; body: string }> {
  const listener = await host.listenLocal(port);
  try {
    return await new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: listener.port, path: "/v1/host", headers: { authorization: `Bearer ${token}` } }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
  } finally {
    await listener.close();
  }
}

describe("ensureAgent (the agent bundle of @lit-app/gpu-agent, node >= 20 on the host)", () => {
  it("uploads the bundle and starts the agent on a fresh host; it answers through the forward with its token", async () => {
    const host = await connectHost("box", { env: f.env });
    const events: BootstrapEvent[] = [];
    const t = performance.now();
    const agent = await ensureAgent(host, { bundle, home: litHome, progress: (e) => events.push(e) });
    console.log(`ensureAgent on a fresh host (node runtime, ${(bundle.code.length / 1e6).toFixed(1)} MB bundle): ${(performance.now() - t).toFixed(0)} ms`);
    pids.add(agent.pid);
    expect(agent).toMatchObject({ started: true, version: bundle.version, runtime: "node", uploaded: [join(litHome, "bundles", `${bundle.hash}.mjs`)] });
    expect(host.stats.uploads).toBe(1);
    expect(events.map((e) => e.kind)).toContain("uploaded");
    const report = await hostReport(host, agent.port, agent.token);
    expect(report.status).toBe(200);
    expect(await hostReport(host, agent.port, "x".repeat(43)).then((r) => r.status)).toBe(401);
    await host.close();
  });

  it("re-run with nothing changed sends nothing, starts nothing, in one command, and the agent outlived the SSH session", async () => {
    const host = await connectHost("box", { env: f.env });
    const t = performance.now();
    const agent = await ensureAgent(host, { bundle, home: litHome, progress: false });
    const ms = performance.now() - t;
    console.log(`ensureAgent re-run, nothing changed: ${ms.toFixed(0)} ms`);
    expect(agent).toMatchObject({ started: false, uploaded: [] });
    expect(pids.has(agent.pid)).toBe(true);
    expect(host.stats).toEqual({ execs: 1, uploads: 0, uploadedBytes: 0 });
    expect(ms).toBeLessThan(1000);
    expect((await hostReport(host, agent.port, agent.token)).status).toBe(200);
    await host.close();
  });

  it("starts the agent again without re-sending the bundle when it was killed", async () => {
    const host = await connectHost("box", { env: f.env });
    const before = await ensureAgent(host, { bundle, home: litHome, progress: false });
    process.kill(before.pid, "SIGKILL");
    expect(await waitGone(host, before.pid)).toBe(true);
    const after = await ensureAgent(host, { bundle, home: litHome, progress: false });
    pids.add(after.pid);
    expect(after).toMatchObject({ started: true, uploaded: [] });
    expect(after.pid).not.toBe(before.pid);
    expect(after.token).toBe(before.token);
    expect(host.stats.uploads).toBe(0);
    expect((await hostReport(host, after.port, after.token)).status).toBe(200);
    await host.close();
  });

  it("sends again a bundle cut short on the host", async () => {
    const host = await connectHost("box", { env: f.env });
    const before = await ensureAgent(host, { bundle, home: litHome, progress: false });
    const file = join(litHome, "bundles", `${bundle.hash}.mjs`);
    truncateSync(file, 1000);
    process.kill(before.pid, "SIGKILL");
    expect(await waitGone(host, before.pid)).toBe(true);
    const after = await ensureAgent(host, { bundle, home: litHome, progress: false });
    pids.add(after.pid);
    expect(after).toMatchObject({ started: true, uploaded: [file] });
    expect(statSync(file).size).toBe(bundle.code.length);

    // Same size, other bytes (its last newline made a space): the start finds out, removes it, the next run sends it.
    expect(bundle.code.at(-1)).toBe(0x0a);
    const fd = openSync(file, "r+");
    writeSync(fd, " ", bundle.code.length - 1);
    closeSync(fd);
    process.kill(after.pid, "SIGKILL");
    expect(await waitGone(host, after.pid)).toBe(true);
    const e = await ensureAgent(host, { bundle, home: litHome, progress: false }).catch((err) => err);
    expect(e).toMatchObject({ code: "E_SSH_AGENT_START", message: expect.stringContaining("does not hash to") });
    const fixed = await ensureAgent(host, { bundle, home: litHome, progress: false });
    pids.add(fixed.pid);
    expect(fixed).toMatchObject({ started: true, uploaded: [file] });
    await host.close();
  });

  it("a new bundle replaces the running agent: uploaded, started, the old process gone", async () => {
    const host = await connectHost("box", { env: f.env });
    const old = await ensureAgent(host, { bundle, home: litHome, progress: false });
    const code = Buffer.concat([Buffer.from(bundle.code), Buffer.from("\n// another build\n")]);
    const next = { code, hash: createHash("sha256").update(code).digest("hex"), version: bundle.version };
    const agent = await ensureAgent(host, { bundle: next, home: litHome, progress: false });
    pids.add(agent.pid);
    expect(agent).toMatchObject({ started: true, uploaded: [join(litHome, "bundles", `${next.hash}.mjs`)] });
    expect(agent.pid).not.toBe(old.pid);
    // The old agent was told to stop; it finishes its shutdown on its own.
    expect(await waitGone(host, old.pid)).toBe(true);
    expect((await hostReport(host, agent.port, agent.token)).status).toBe(200);
    // And the new one is the one a re-run finds.
    expect(await ensureAgent(host, { bundle: next, home: litHome, progress: false })).toMatchObject({ started: false, pid: agent.pid });
    await host.close();
  });

  it("two controllers bootstrapping one fresh host at once end with one agent", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "lit-home-"));
    const [a, b] = await Promise.all([connectHost("box", { env: f.env }), connectHost("box", { env: f.env })]);
    try {
      const [x, y] = await Promise.all([a, b].map((h) => ensureAgent(h, { bundle, home: fresh, progress: false })));
      pids.add(x!.pid).add(y!.pid);
      expect(x!.pid).toBe(y!.pid);
      expect([x!.started, y!.started].sort()).toEqual([false, true]);
      expect(x!.token).toBe(y!.token);
      expect((await hostReport(a, x!.port, x!.token)).status).toBe(200);
    } finally {
      await a.close();
      await b.close();
      homes.push(fresh);
    }
  });
});
