import { describe, expect, it } from "vitest";
import { useTestHosts } from "./vitest.ts";

const th = useTestHosts({ hosts: ["gpu-box", "cpu-box"] });

const ssh = (alias: string, command: string, options: string[] = []) =>
  th().laptop.exec("ssh", ["-o", "ConnectTimeout=2", ...options, alias, command], { timeoutMs: 30_000 });

/** ssh, retried for a few seconds while the error is the transient one of a link just restored. */
async function sshAfterRestore(alias: string, command: string) {
  let result = await ssh(alias, command);
  for (let i = 0; i < 10 && result.code !== 0 && /No route to host|timed out/.test(result.stderr); i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    result = await ssh(alias, command);
  }
  return result;
}

describe("faults", () => {
  it("a cut link makes new connections fail and restore makes them work again, while the other host stays reachable", async () => {
    const gpu = th().host("gpu-box");
    await gpu.cut();
    try {
      expect(gpu.isCut).toBe(true);
      const cut = await ssh("gpu-box", "true");
      expect(cut.code).toBe(255);
      expect(cut.stderr).toMatch(/timed out/i);
      expect((await ssh("cpu-box", "true")).code).toBe(0);
    } finally {
      await gpu.restore();
    }
    expect(gpu.isCut).toBe(false);
    // As on a real network, a peer whose ARP for the host failed during the cut may get
    // "No route to host" once right after restore; a retry goes through.
    const back = await sshAfterRestore("gpu-box", "echo back");
    expect(back).toMatchObject({ code: 0, stdout: "back\n" });
  });

  it("an open session stalls through a short cut and delivers every line after restore", async () => {
    const gpu = th().host("gpu-box");
    const session = th().laptop.exec("ssh", ["gpu-box", "i=0; while [ $i -lt 20 ]; do echo line $i; i=$((i+1)); sleep 0.1; done"], { timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await gpu.cut();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await gpu.restore();
    const { code, stdout } = await session;
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i}`));
  });

  it("cutting the laptop's link makes every host unreachable", async () => {
    await th().laptop.cut();
    try {
      const results = await Promise.all(th().hosts.map((h) => ssh(h.name, "true")));
      expect(results.map((r) => r.code)).toEqual([255, 255]);
    } finally {
      await th().laptop.restore();
    }
    expect(await sshAfterRestore("cpu-box", "echo back")).toMatchObject({ code: 0, stdout: "back\n" });
  });

  it("killAll() kills every process of the host's user with SIGKILL, and only theirs", async () => {
    const gpu = th().host("gpu-box");
    const cpu = th().host("cpu-box");
    const sleeper = gpu.spawn("exec sleep 300");
    const other = cpu.spawn("exec sleep 300");
    const session = th().laptop.exec("ssh", ["gpu-box", "sleep 300"], { timeoutMs: 30_000 });
    const until = Date.now() + 10_000;
    while (gpu.processes().filter((p) => p.args === "sleep 300").length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(gpu.processes().filter((p) => p.args === "sleep 300")).toHaveLength(2);

    const exited = new Promise<NodeJS.Signals | null>((resolve) => sleeper.on("exit", (_code, signal) => resolve(signal)));
    const killed = await gpu.killAll();
    expect(killed).toContain(sleeper.pid);
    expect(await exited).toBe("SIGKILL");
    expect(gpu.processes()).toEqual([]);
    expect((await session).code).not.toBe(0); // the user's side of the SSH session died too
    expect(cpu.processes().map((p) => p.pid)).toContain(other.pid);
    other.kill("SIGKILL");
    expect((await ssh("gpu-box", "echo alive")).stdout).toBe("alive\n"); // sshd itself is root's
  });

  it("killAll({ match }) kills only the matching processes", async () => {
    const gpu = th().host("gpu-box");
    const agent = gpu.spawn("exec sleep 301");
    const other = gpu.spawn("exec sleep 302");
    const until = Date.now() + 10_000;
    while (gpu.processes().length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(await gpu.killAll({ match: /sleep 301/ })).toEqual([agent.pid]);
    expect(gpu.processes().map((p) => p.pid)).toEqual([other.pid]);
    await gpu.killAll();
  });

  it("a stopped sshd refuses connections, and a started one accepts them", async () => {
    const cpu = th().host("cpu-box");
    const pid = cpu.sshdPid;
    expect(pid).toBeGreaterThan(0);
    await cpu.stopSshd();
    expect(cpu.sshdPid).toBeUndefined();
    const refused = await ssh("cpu-box", "true");
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/Connection refused/);
    await cpu.startSshd();
    expect(cpu.sshdPid).not.toBe(pid);
    expect((await ssh("cpu-box", "echo up")).stdout).toBe("up\n");
  });
});
