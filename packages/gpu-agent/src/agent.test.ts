// The agent as users run it: the bundle, started by node and by bun, over real HTTP on loopback.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, appendFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { statfs } from "node:fs/promises";
import { connect } from "node:net";
import { cpus, networkInterfaces, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeTempDirs } from "./test-support/temp-dirs.ts";
import { closeConnections, get, RUNTIMES, runAgent, stopAgent, tempHome, writeBundle, type AgentProcess, type AgentRuntime } from "./test-support/agent-process.ts";

const fixtures = fileURLToPath(new URL("../test/fixtures/nvidia-smi/", import.meta.url));
let bundle: { dir: string; path: string; hash: string };
const started: AgentProcess[] = [];

beforeAll(async () => {
  bundle = await writeBundle();
});

afterAll(async () => {
  closeConnections();
  for (const agent of started) await stopAgent(agent);
  removeTempDirs();
});

const start = async (runtime: AgentRuntime, home: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, path = bundle.path): Promise<AgentProcess> => {
  const agent = await runAgent(runtime, path, ["--home", home, ...args], env);
  started.push(agent);
  return agent;
};

const tokenOf = (home: string): string => readFileSync(join(home, "agent", "token"), "utf8").trim();

/** Whether a TCP connection to host:port is accepted. */
const connects = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });

const runtimeVersion = (runtime: AgentRuntime): string =>
  runtime === "node" ? execFileSync(RUNTIMES.node, ["-p", "process.versions.node"], { encoding: "utf8" }).trim() : execFileSync(RUNTIMES.bun, ["--version"], { encoding: "utf8" }).trim();

describe.each(["node", "bun"] as const)("the agent on %s", (runtime) => {
  it("starts, writes agent.json and a 0600 token, and answers only with the token", async () => {
    const home = tempHome();
    const agent = await start(runtime, home);
    expect(agent.said).toMatchObject({ status: "started", version: "0.1.0", runtime, bundleHash: bundle.hash, pid: agent.child.pid });
    const info = JSON.parse(readFileSync(join(home, "agent", "agent.json"), "utf8"));
    expect(info).toEqual({ ...agent.said, status: undefined });
    expect(statSync(join(home, "agent", "token")).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "agent")).mode & 0o777).toBe(0o700);
    const token = tokenOf(home);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);

    const none = await get(info.port, "/v1/host");
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ code: "E_UNAUTHORIZED", message: expect.stringContaining("Authorization: Bearer") });
    const wrong = await get(info.port, "/v1/host", token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("E_UNAUTHORIZED");
    expect((await get(info.port, "/v1/nothing", "x")).status).toBe(401);
    expect((await get(info.port, "/v1/host", token)).status).toBe(200);
    const missing = await get(info.port, "/v1/nothing", token);
    expect(missing).toMatchObject({ status: 404, body: { error: { code: "E_NOT_FOUND" } } });

    expect(await stopAgent(agent)).toBe(0);
    // a clean stop leaves no agent.json and no socket behind; the token stays for the next start
    expect(() => statSync(join(home, "agent", "agent.json"))).toThrow();
    const again = await start(runtime, home);
    expect(again.said!.status).toBe("started");
    expect(tokenOf(home)).toBe(token);
    await stopAgent(again);
  });

  it("listens on 127.0.0.1 only", async () => {
    const home = tempHome();
    const agent = await start(runtime, home);
    const port = agent.said!.port;
    expect(await connects("127.0.0.1", port)).toBe(true);
    expect(await connects("127.0.0.2", port)).toBe(false);
    expect(await connects("::1", port)).toBe(false);
    const external = Object.values(networkInterfaces()).flat().find((a) => a !== undefined && !a.internal && a.family === "IPv4");
    if (external !== undefined) expect(await connects(external.address, port)).toBe(false);
    await stopAgent(agent);
  });

  it("reports the host: CPUs, memory, disk, runtime, agent, no GPUs without nvidia-smi, no works", async () => {
    const home = tempHome();
    const agent = await start(runtime, home, ["--name", "gpu-box"], { PATH: "/usr/bin:/bin" });
    const { status, body } = await get(agent.said!.port, "/v1/host", tokenOf(home));
    expect(status).toBe(200);
    const fs = await statfs(home);
    expect(body).toMatchObject({
      hostName: "gpu-box",
      cpus: { count: cpus().length, model: cpus()[0]!.model.trim() },
      memory: { totalBytes: totalmem() },
      disk: { path: home, totalBytes: fs.blocks * fs.bsize },
      runtime: { name: runtime, version: runtimeVersion(runtime) },
      agent: { version: "0.1.0", bundleHash: bundle.hash, pid: agent.child.pid },
      gpus: [],
      gpuSource: "none",
      gpuError: null,
      works: [],
    });
    expect(body.memory.freeBytes).toBeGreaterThan(0);
    expect(body.memory.freeBytes).toBeLessThanOrEqual(body.memory.totalBytes);
    expect(Math.abs(body.disk.freeBytes - fs.bavail * fs.bsize)).toBeLessThan(1024 ** 3);
    await stopAgent(agent);
  });

  it("reports the GPUs host.json declares, each free", async () => {
    const home = tempHome();
    const declared = [
      { uuid: "GPU-11111111-aaaa", name: "A100", memoryMiB: 81920 },
      { uuid: "GPU-22222222-bbbb", name: "A100", memoryMiB: 81920 },
    ];
    writeFileSync(join(home, "host.json"), JSON.stringify({ gpus: declared }));
    const agent = await start(runtime, home);
    const { body } = await get(agent.said!.port, "/v1/host", tokenOf(home));
    expect(body.gpuSource).toBe("host.json");
    expect(body.gpus).toEqual(declared.map((g) => ({ ...g, index: null, work: null })));
    await stopAgent(agent);
  });

  it("reports the GPUs nvidia-smi lists, and nvidia-smi's failure when the driver is broken", async () => {
    const home = tempHome();
    const path = `${fixtures}bin:/usr/bin:/bin`;
    const eight = await start(runtime, home, [], { PATH: path, FAKE_NVIDIA_SMI_OUTPUT: fixtures + "8-gpu-a100.txt" });
    const report = (await get(eight.said!.port, "/v1/host", tokenOf(home))).body;
    expect(report.gpuSource).toBe("nvidia-smi");
    expect(report.gpus).toHaveLength(8);
    expect(report.gpus[7]).toEqual({ index: 7, uuid: "GPU-5c084fc6-2373-fab1-7e48-aa2ae120117c", name: "NVIDIA A100-SXM4-80GB", memoryMiB: 81920, work: null });
    await stopAgent(eight);

    const broken = await start(runtime, home, [], { PATH: path, FAKE_NVIDIA_SMI_OUTPUT: fixtures + "driver-mismatch.txt", FAKE_NVIDIA_SMI_EXIT: "18" });
    const brokenReport = (await get(broken.said!.port, "/v1/host", tokenOf(home))).body;
    expect(brokenReport.gpus).toEqual([]);
    expect(brokenReport.gpuError).toContain("Driver/library version mismatch");
    await stopAgent(broken);
  });

  it("refuses a bad host.json, naming the file and the field", async () => {
    const home = tempHome();
    writeFileSync(join(home, "host.json"), JSON.stringify({ gpus: [{ uuid: "GPU-1", name: "A100", memoryMiB: -5 }] }));
    const agent = await start(runtime, home);
    expect(await agent.exited).toBe(1);
    expect(agent.said).toBeNull();
    expect(agent.stderr()).toContain(join(home, "host.json"));
    expect(agent.stderr()).toContain('field "gpus[0].memoryMiB"');
  });

  it("leaves a running agent of the same version alone, and replaces another version", async () => {
    const home = tempHome();
    const first = await start(runtime, home);
    const second = await start(runtime, home);
    expect(await second.exited).toBe(0);
    expect(second.said).toMatchObject({ status: "running", pid: first.child.pid, port: first.said!.port });
    expect((await get(first.said!.port, "/v1/host", tokenOf(home))).status).toBe(200);

    // the same agent built again with a change is a new version
    const newer = join(bundle.dir, "newer.mjs");
    copyFileSync(bundle.path, newer);
    appendFileSync(newer, "\n// a change\n");
    const replacing = await start(runtime, home, [], {}, newer);
    expect(replacing.said).toMatchObject({ status: "started", pid: replacing.child.pid });
    expect(replacing.said!.bundleHash).not.toBe(bundle.hash);
    expect(await first.exited).toBe(0);
    const info = JSON.parse(readFileSync(join(home, "agent", "agent.json"), "utf8"));
    expect(info.pid).toBe(replacing.child.pid);
    expect((await get(info.port, "/v1/host", tokenOf(home))).body.agent.bundleHash).toBe(replacing.said!.bundleHash);
    await stopAgent(replacing);
  });

  it("runs one agent when two start at once in one home", async () => {
    const home = tempHome();
    const [a, b] = await Promise.all([start(runtime, home), start(runtime, home)]);
    const statuses = [a.said!.status, b.said!.status].sort();
    expect(statuses).toEqual(["running", "started"]);
    const winner = a.said!.status === "started" ? a : b;
    const loser = winner === a ? b : a;
    expect(await loser.exited).toBe(0);
    expect(loser.said!.pid).toBe(winner.child.pid);
    await stopAgent(winner);
  });

  it("replaces an agent that holds the home but does not answer, by its pid", async () => {
    const home = tempHome();
    const hung = spawn(RUNTIMES.node, [fileURLToPath(new URL("../test/fixtures/hung-agent.mjs", import.meta.url)), home], { stdio: ["ignore", "pipe", "inherit"] });
    const hungExit = new Promise<NodeJS.Signals | null>((resolve) => hung.once("exit", (_code, signal) => resolve(signal)));
    await new Promise((resolve) => hung.stdout!.once("data", resolve));
    const agent = await start(runtime, home);
    expect(agent.said).toMatchObject({ status: "started", pid: agent.child.pid });
    expect(await hungExit).toBe("SIGKILL");
    await stopAgent(agent);
  });

  it("starts detached with --detach and returns once it listens", async () => {
    const home = tempHome();
    const launcher = await start(runtime, home, ["--detach"]);
    expect(await launcher.exited).toBe(0);
    expect(launcher.said!.status).toBe("started");
    const pid = launcher.said!.pid;
    expect(pid).not.toBe(launcher.child.pid);
    try {
      expect((await get(launcher.said!.port, "/v1/host", tokenOf(home))).status).toBe(200);
      const again = await start(runtime, home, ["--detach"]);
      expect(await again.exited).toBe(0);
      expect(again.said).toMatchObject({ status: "running", pid });
    } finally {
      process.kill(pid, "SIGTERM");
    }
  });

  it("answers small requests on a kept-alive connection without Nagle stalls", async () => {
    const home = tempHome();
    const agent = await start(runtime, home);
    const token = tokenOf(home);
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      expect((await get(agent.said!.port, "/v1/host", token)).status).toBe(200);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    // a delayed-ACK stall costs 40 ms per request; a whole answer takes a few ms
    expect(times[15]!).toBeLessThan(20);
    await stopAgent(agent);
  });
});
