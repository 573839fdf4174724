import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHost } from "../connect-host.ts";
import type { SshHost } from "../ssh-host.ts";
import { type SshFixture, sshFixture } from "../test-support/fixture.ts";
import { type AgentBundleLike, ensureAgent } from "./ensure-agent.ts";

let f: SshFixture;
let host: SshHost;
let smallDisk: string | undefined;
let litHome: string;

beforeAll(async () => {
  f = await sshFixture();
  host = await connectHost("box", { env: f.env });
  litHome = mkdtempSync(join(tmpdir(), "lit-home-"));
  const dir = mkdtempSync(join(tmpdir(), "lit-small-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", dir], { stdio: "pipe" });
    smallDisk = dir;
  } catch (e) {
    console.log(`skipping the full-disk tests: cannot mount a tmpfs here (${String((e as { stderr?: Buffer }).stderr ?? e).trim()})`);
    rmdirSync(dir);
  }
});
afterAll(async () => {
  await host?.close();
  await f?.close();
  if (smallDisk !== undefined) {
    execFileSync("umount", [smallDisk]);
    rmdirSync(smallDisk);
  }
  rmSync(litHome, { recursive: true, force: true });
});

const bundleOf = (code: string, version = "0.0.0-test"): AgentBundleLike => {
  const bytes = Buffer.from(code);
  return { code: bytes, hash: createHash("sha256").update(bytes).digest("hex"), version };
};

describe("ensureAgent failures", () => {
  it("refuses with E_SSH_DISK_FULL, naming the host and folder, when the bundle does not fit", async (ctx) => {
    if (smallDisk === undefined) return ctx.skip();
    const big = bundleOf(`// ${"x".repeat(1 << 20)}\n`);
    const e = await ensureAgent(host, { bundle: big, home: smallDisk, progress: false }).catch((err) => err);
    expect(e).toMatchObject({ name: "SshDiskFullError", code: "E_SSH_DISK_FULL", folder: smallDisk });
    expect(e.message).toContain(`[box (127.0.0.1:${f.sshd.port})]`);
    expect(e.message).toContain("MiB free");
    expect(host.stats.uploads).toBe(0);
  });

  it("an upload that fills the disk is E_SSH_DISK_FULL and leaves no temp file", async (ctx) => {
    if (smallDisk === undefined) return ctx.skip();
    const e = await host.upload(join(smallDisk, "bundles", "big.mjs"), randomBytes(2 << 20)).catch((err) => err);
    expect(e).toMatchObject({ code: "E_SSH_DISK_FULL", folder: join(smallDisk, "bundles") });
    expect(readdirSync(join(smallDisk, "bundles"))).toEqual([]);
  });

  it("shows the end of the agent's log when it does not start (an agent-like script that fails, testing the start mechanism)", async () => {
    // Stands in for an agent whose start fails: it writes its log as the agent does, then exits 1.
    const failing = bundleOf(
      [
        'import { appendFileSync, mkdirSync } from "node:fs";',
        'const home = process.argv[process.argv.indexOf("--home") + 1];',
        'mkdirSync(home + "/agent", { recursive: true });',
        'appendFileSync(home + "/agent/agent.log", "listening failed: EADDRINUSE 127.0.0.1:7777\\n");',
        'process.stderr.write("[agent] the agent exited (code 1) before it listened\\n");',
        "process.exit(1);",
      ].join("\n"),
    );
    const e = await ensureAgent(host, { bundle: failing, home: litHome, progress: false }).catch((err) => err);
    expect(e).toMatchObject({ name: "SshAgentStartError", code: "E_SSH_AGENT_START" });
    expect(e.message).toContain("the agent did not start (exit 1)");
    expect(e.message).toContain("before it listened");
    expect(e.message).toContain(join(litHome, "agent", "agent.log"));
    expect(e.logTail).toContain("listening failed: EADDRINUSE");
  });
});
