import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hashedKnownHostsLine } from "./known-hosts.ts";
import { useTestHosts } from "./vitest.ts";

const th = useTestHosts({ hosts: ["gpu-box", "cpu-box"] });

const ssh = (alias: string) => th().laptop.exec("ssh", [alias, "echo ok"], { timeoutMs: 30_000 });

describe("host keys", () => {
  it("writes known_hosts hashed, one entry per host, which OpenSSH accepts", async () => {
    const lines = readFileSync(th().laptop.knownHostsPath, "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 AAAA/);
    expect(readFileSync(th().laptop.knownHostsPath, "utf8")).not.toContain(th().host("gpu-box").address);
    expect((await ssh("gpu-box")).stdout).toBe("ok\n");
  });

  it("a wrong known_hosts entry is refused", async () => {
    const gpu = th().host("gpu-box");
    const cpu = th().host("cpu-box");
    const saved = readFileSync(th().laptop.knownHostsPath, "utf8");
    try {
      // gpu-box's address with cpu-box's key: what a changed host key looks like.
      th().laptop.untrust(gpu);
      writeFileSync(th().laptop.knownHostsPath, readFileSync(th().laptop.knownHostsPath, "utf8") + hashedKnownHostsLine(gpu.address, gpu.port, cpu.hostPublicKey) + "\n");
      const wrong = await ssh("gpu-box");
      expect(wrong.code).toBe(255);
      expect(wrong.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
      expect(wrong.stdout).toBe("");
    } finally {
      writeFileSync(th().laptop.knownHostsPath, saved);
    }
    expect((await ssh("gpu-box")).stdout).toBe("ok\n");
  });

  it("an unknown host key is refused until trusted", async () => {
    const cpu = th().host("cpu-box");
    th().laptop.untrust(cpu);
    const unknown = await ssh("cpu-box");
    expect(unknown.code).toBe(255);
    expect(unknown.stderr).toMatch(/No ED25519 host key is known|Host key verification failed/);
    th().laptop.trust(cpu);
    expect((await ssh("cpu-box")).stdout).toBe("ok\n");
  });

  it("replaceHostKey() makes the host present a key the laptop does not know", async () => {
    const gpu = th().host("gpu-box");
    const before = gpu.hostPublicKey;
    await gpu.replaceHostKey();
    expect(gpu.hostPublicKey).not.toBe(before);
    const changed = await ssh("gpu-box");
    expect(changed.code).toBe(255);
    expect(changed.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
    th().laptop.trust(gpu);
    expect((await ssh("gpu-box")).stdout).toBe("ok\n");
  });
});
