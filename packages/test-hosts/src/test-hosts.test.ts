import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { useTestHosts } from "./vitest.ts";

const th = useTestHosts({
  hosts: [
    { name: "gpu-box", runtime: "bun", gpus: [{ uuid: "GPU-0a1b", name: "NVIDIA A100", memoryMiB: 81920 }] },
    { name: "cpu-box", runtime: "node", port: 2222 },
    { name: "bare-box", runtime: "none", homeSize: "8m" },
  ],
});

const ssh = (alias: string, command: string) => th().laptop.exec("ssh", [alias, command], { timeoutMs: 30_000 });

describe("test hosts", () => {
  it("reaches each host through OpenSSH from the laptop, as the host's own user", async () => {
    for (const host of th().hosts) {
      const { code, stdout, stderr } = await ssh(host.name, "id -un; echo $HOME");
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout.split("\n").slice(0, 2)).toEqual([host.user, host.home]);
    }
    expect(new Set(th().hosts.map((h) => h.user)).size).toBe(3);
  });

  it("gives each host its own home, which no other host can read", async () => {
    const gpu = th().host("gpu-box");
    const cpu = th().host("cpu-box");
    expect(gpu.home).not.toBe(cpu.home);
    await cpu.writeFile(".lit/secret", "cpu only\n");
    expect((await ssh("cpu-box", "cat ~/.lit/secret")).stdout).toBe("cpu only\n");
    const peek = await ssh("gpu-box", `ls ${cpu.home}/.lit; cat ${cpu.home}/.lit/secret`);
    expect(peek.code).not.toBe(0);
    expect(peek.stderr).toMatch(/Permission denied/);
    expect(peek.stdout).not.toContain("cpu only");
    expect((await ssh("gpu-box", "cat ~/.lit/secret")).code).not.toBe(0);
  });

  it("declares the given GPUs in ~/.lit/host.json", async () => {
    const text = await th().host("gpu-box").output("cat ~/.lit/host.json");
    expect(JSON.parse(text)).toEqual({ gpus: [{ uuid: "GPU-0a1b", name: "NVIDIA A100", memoryMiB: 81920 }] });
    expect((await th().host("cpu-box").exec("cat ~/.lit/host.json")).code).not.toBe(0);
  });

  it("puts each host's runtime on its PATH, and none on the bare host's, which still has the POSIX tools", async () => {
    const bare = await ssh("bare-box", "command -v node; command -v bun; command -v deno; command -v npm; echo ---; for t in sh mkdir cat mv uname tar gzip ps kill; do command -v $t >/dev/null || echo missing $t; done; uname -s");
    expect(bare.stdout).toBe("---\nLinux\n");
    const bun = await ssh("gpu-box", "bun --version; command -v node || echo no node");
    expect(bun.code).toBe(0);
    expect(bun.stdout).toMatch(/^\d+\.\d+\.\d+\nno node\n$/);
    const node = await ssh("cpu-box", "node --version; command -v bun || echo no bun");
    expect(node.stdout).toMatch(/^v(\d+)\.\d+\.\d+\nno bun\n$/);
    expect(Number(/^v(\d+)/.exec(node.stdout)?.[1])).toBeGreaterThanOrEqual(20);
  });

  it("keeps every address inside the harness's namespaces", async () => {
    const prefix = th().subnet.replace(/\.0\/24$/, ".");
    const laptop = await th().laptop.exec("ip", ["-o", "addr"]);
    expect(laptop.stdout).toContain(`${th().laptop.address}/24`);
    const root = execFileSync("ip", ["-o", "addr"], { encoding: "utf8" });
    expect(root).not.toContain(prefix);
    const rootLinks = execFileSync("ip", ["-o", "link"], { encoding: "utf8" });
    for (const host of th().hosts) expect(rootLinks).not.toContain(host.link);
  });

  it("runs laptop programs with the laptop's HOME and no trace of the test runner", async () => {
    const { stdout } = await th().laptop.exec("sh", ["-c", 'echo "$HOME"; env | grep -c -e ^VITEST -e ^SSH_AUTH_SOCK= || true; command -v ssh']);
    expect(stdout).toBe(`${th().laptop.home}\n0\n${th().laptop.binDir}/ssh\n`);
  });

  it("runs exec() as the host's user in its namespace, with the session's PATH", async () => {
    const host = th().host("bare-box");
    const out = await host.output("id -un; pwd; echo $PATH; ip -o -4 addr show eth0 | tr -s ' ' | cut -d' ' -f4");
    expect(out.split("\n").slice(0, 4)).toEqual([host.user, host.home, host.path, `${host.address}/24`]);
  });

  it("a host's loopback is its own: reached from the laptop only through an SSH forward", async () => {
    const cpu = th().host("cpu-box");
    const server = cpu.spawn(`exec node -e 'require("node:http").createServer((q, r) => r.end("from " + process.env.USER)).listen(8080, "127.0.0.1", () => console.log("up"))'`);
    const forward = th().laptop.spawn("ssh", ["-N", "-o", "ExitOnForwardFailure=yes", "-L", "127.0.0.1:18080:127.0.0.1:8080", "cpu-box"]);
    try {
      await new Promise((resolve) => server.stdout?.once("data", resolve));
      await expect(th().laptop.fetch("http://127.0.0.1:8080/")).rejects.toMatchObject({ code: "E_FETCH" });
      await expect(th().laptop.fetch(`http://${cpu.address}:8080/`)).rejects.toThrow(/ECONNREFUSED/);
      let response = await th().laptop.fetch("http://127.0.0.1:18080/").catch(() => undefined);
      for (let i = 0; i < 50 && !response; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100)); // the forward listens once ssh has authenticated
        response = await th().laptop.fetch("http://127.0.0.1:18080/").catch(() => undefined);
      }
      expect(response).toMatchObject({ status: 200, body: `from ${cpu.user}` });
    } finally {
      forward.kill("SIGKILL");
      server.kill("SIGKILL");
    }
  });

  it("gives a host with homeSize a small disk of its own, which fills up", async () => {
    const { code, stderr } = await ssh("bare-box", "head -c 20000000 /dev/zero > ~/big");
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/No space left on device/);
    const df = await ssh("bare-box", "df -k ~ | tail -1");
    expect(Number(df.stdout.trim().split(/\s+/)[1])).toBe(8192);
    expect(Number((await ssh("cpu-box", "df -k ~ | tail -1")).stdout.trim().split(/\s+/)[1])).toBeGreaterThan(8192);
    await th().host("bare-box").output("rm -f ~/big");
  });
});
