/**
 * @lit-app/ssh against the test hosts: separate machines (network namespaces,
 * each with its own sshd and user), the client running on their laptop.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildAgentBundle } from "@lit-app/gpu-agent";
import { useTestHosts } from "@lit-app/test-hosts/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const th = useTestHosts({ hosts: [{ name: "node-box" }, { name: "bare-box", runtime: "none" }, { name: "bun-box", runtime: "bun" }] });

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const fixture = fileURLToPath(new URL("../test/fixtures/ssh-client.ts", import.meta.url));
let bundleDir: string;
let bundleArgs: { bundleFile: string; hash: string; version: string };

beforeAll(async () => {
  const bundle = await buildAgentBundle();
  bundleDir = mkdtempSync(join(tmpdir(), "lit-ssh-bundle-"));
  writeFileSync(join(bundleDir, "agent.mjs"), bundle.code);
  bundleArgs = { bundleFile: join(bundleDir, "agent.mjs"), hash: bundle.hash, version: bundle.version };
});
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

/** Runs the client fixture on the laptop and returns what it printed last. */
async function client(request: Record<string, unknown>, timeoutMs = 120_000): Promise<Record<string, any>> {
  const r = await th().laptop.exec("node", ["--import", "tsx", fixture, JSON.stringify(request)], { cwd: packageDir, timeoutMs });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`the client printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

describe("@lit-app/ssh across the test hosts", () => {
  it("connects with the laptop's ~/.ssh (hashed known_hosts, IdentitiesOnly) and runs commands", async () => {
    const r = await client({ op: "connect", alias: "node-box", rounds: 20 });
    expect(r.error).toBeUndefined();
    console.log(`between namespaces: connect ${r.connectMs.toFixed(0)} ms, exec round trip median ${r.execMedianMs.toFixed(1)} ms`);
  });

  it("uploads between machines", async () => {
    const r = await client({ op: "upload", alias: "node-box", mib: 128, path: ".lit/upload-test.bin" });
    expect(r.error).toBeUndefined();
    expect(await th().host("node-box").output("wc -c < .lit/upload-test.bin")).toBe(`${128 << 20}\n`);
    console.log(`upload 128 MiB between namespaces: ${r.mibPerS.toFixed(0)} MiB/s`);
    await th().host("node-box").output("rm -f .lit/upload-test.bin");
  });

  it("a cut link is E_SSH_TIMEOUT within the bound", async () => {
    const host = th().host("node-box");
    await host.cut();
    try {
      const t = performance.now();
      const r = await client({ op: "connect", alias: "node-box", timeoutMs: 2000 });
      const took = performance.now() - t;
      expect(r.error).toMatchObject({ code: "E_SSH_TIMEOUT" });
      expect(r.error.message).toContain(`node-box (${host.address}:${host.port})`);
      // The bound plus starting node and tsx on the laptop.
      expect(took).toBeLessThan(2000 + 5000);
    } finally {
      await host.restore();
    }
  });

  it("a connection whose link is cut is closed after the keepalive checks fail", async () => {
    const host = th().host("node-box");
    const child = th().laptop.spawn("node", ["--import", "tsx", fixture, JSON.stringify({ op: "waitClosed", alias: "node-box", keepaliveMs: 500 })], { cwd: packageDir });
    let out = "";
    child.stdout!.on("data", (c) => (out += c));
    for (let i = 0; i < 300 && !out.includes("connected"); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain("connected");
    await host.cut();
    try {
      await new Promise((r) => child.once("exit", r));
      const r = JSON.parse(out.trim().split("\n").pop()!);
      expect(r.error).toContain("Keepalive timeout");
      expect(r.closedAfterMs).toBeLessThan(5000);
    } finally {
      await host.restore();
    }
  });

  it("refused (sshd stopped) is E_SSH_REFUSED, and an unknown host is refused with a trust command that works", async () => {
    const host = th().host("node-box");
    await host.stopSshd();
    try {
      expect((await client({ op: "connect", alias: "node-box" })).error).toMatchObject({ code: "E_SSH_REFUSED" });
    } finally {
      await host.startSshd();
    }
    th().laptop.untrust(host);
    const r = await client({ op: "connect", alias: "node-box" });
    expect(r.error).toMatchObject({ code: "E_SSH_HOST_KEY_UNKNOWN" });
    const trust = r.error.trustCommand.split("   (")[0];
    expect(trust).toMatch(/^ssh-keyscan -H /);
    expect((await th().laptop.exec("sh", ["-c", trust])).code).toBe(0);
    expect((await client({ op: "connect", alias: "node-box" })).error).toBeUndefined();
  });

  it("a replaced host key is E_SSH_HOST_KEY_CHANGED naming the known_hosts file and line", async () => {
    const host = th().host("bun-box");
    await host.replaceHostKey();
    const r = await client({ op: "connect", alias: "bun-box" });
    expect(r.error).toMatchObject({ code: "E_SSH_HOST_KEY_CHANGED", knownHostsFile: th().laptop.knownHostsPath });
    expect(r.error.message).toContain(`${th().laptop.knownHostsPath}:${r.error.knownHostsLine}`);
    th().laptop.untrust(host);
    th().laptop.trust(host);
    expect((await client({ op: "connect", alias: "bun-box" })).error).toBeUndefined();
  });

  it("ensureAgent on a host with node: bundle uploaded and started; again: nothing sent, under a second", async () => {
    const first = await client({ op: "ensureAgent", alias: "node-box", ...bundleArgs });
    expect(first.error).toBeUndefined();
    expect(first.agent).toMatchObject({ started: true, runtime: "node" });
    expect(first.stats.uploads).toBe(1);
    const again = await client({ op: "ensureAgent", alias: "node-box", ...bundleArgs });
    expect(again.agent).toMatchObject({ started: false, pid: first.agent.pid, uploaded: [] });
    expect(again.stats).toEqual({ execs: 1, uploads: 0, uploadedBytes: 0 });
    expect(again.ms).toBeLessThan(1000);
    console.log(`ensureAgent between namespaces: fresh (node) ${first.ms.toFixed(0)} ms, unchanged re-run ${again.ms.toFixed(0)} ms (+ connect ${again.connectMs.toFixed(0)} ms)`);
    expect(th().host("node-box").processes().some((p) => p.pid === first.agent.pid)).toBe(true);
  });

  it("ensureAgent on a host with bun on its PATH uses it", async () => {
    const r = await client({ op: "ensureAgent", alias: "bun-box", ...bundleArgs });
    expect(r.error).toBeUndefined();
    expect(r.agent).toMatchObject({ started: true, runtime: "bun", uploaded: [".lit/bundles/" + bundleArgs.hash + ".mjs"].map((p) => `~/${p}`) });
  });

  it("ensureAgent on a host without a runtime uploads Bun once", async () => {
    const first = await client({ op: "ensureAgent", alias: "bare-box", ...bundleArgs });
    expect(first.error).toBeUndefined();
    expect(first.agent).toMatchObject({ started: true, runtime: "bun" });
    expect(first.stats.uploads).toBe(2);
    console.log(`ensureAgent on a bare host (Bun ${(first.stats.uploadedBytes / (1 << 20)).toFixed(0)} MiB uploaded): ${first.ms.toFixed(0)} ms`);
    const again = await client({ op: "ensureAgent", alias: "bare-box", ...bundleArgs });
    expect(again.agent).toMatchObject({ started: false, uploaded: [] });
    expect(again.stats.uploads).toBe(0);
    expect(await th().host("bare-box").output("ls .lit/runtimes")).toMatch(/^bun-\d+\.\d+\.\d+-linux-x64\n$/);
  });

  it("ProxyJump from one machine to another, and a cut target behind it is E_SSH_TIMEOUT within the bound", async () => {
    const target = th().host("bun-box");
    appendFileSync(
      th().laptop.sshConfigPath,
      `\nHost via-node\n  HostName ${target.address}\n  Port ${target.port}\n  User ${target.user}\n  IdentityFile ${th().laptop.identityFile}\n  ProxyJump node-box\n`,
    );
    const r = await client({ op: "connect", alias: "via-node", rounds: 5 });
    expect(r.error).toBeUndefined();
    console.log(`through a jump host: connect ${r.connectMs.toFixed(0)} ms, exec round trip median ${r.execMedianMs.toFixed(1)} ms`);
    await target.cut();
    try {
      const t = performance.now();
      const cut = await client({ op: "connect", alias: "via-node", timeoutMs: 2000 });
      expect(cut.error).toMatchObject({ code: "E_SSH_TIMEOUT" });
      expect(cut.error.message).toContain("through node-box");
      expect(performance.now() - t).toBeLessThan(2000 + 5000);
    } finally {
      await target.restore();
    }
  });
});
