/**
 * `lit run app.ts --host …` end to end, as a user runs it: the `lit` command
 * on the test hosts' laptop (its own network namespace and ~/.ssh), the works
 * on separate machines reached over real SSH (each with its own sshd, Unix
 * user and home), on Node and on Bun.
 */
import { rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTestHosts } from "@lit-app/test-hosts/vitest";
import { ended, litOnLaptop, remoteApp, ticks, upTo, type CliRuntime } from "../test-support/remote-run.ts";

const GPU_A = { uuid: "GPU-4b7a0c2e-0001-4d6f-9a51-a100000000a1", name: "A100", memoryMiB: 81920 };
const GPU_B = { uuid: "GPU-4b7a0c2e-0002-4d6f-9a51-a100000000a2", name: "A100", memoryMiB: 81920 };
const th = useTestHosts({
  hosts: [
    { name: "gpu-box", runtime: "bun", gpus: [GPU_A, GPU_B] },
    { name: "cpu-box", runtime: "node" },
    { name: "bare-box", runtime: "none" },
  ],
});


const app = remoteApp;

describe.each<CliRuntime>(["node", "bun"])("lit run --host on %s", (runtime) => {
  it("runs the seed's workflow: the CPU work on cpu-box, the GPU work on gpu-box with its GPU, the flow here", async () => {
    const run = litOnLaptop(th(), runtime, ["run", app("two-hosts"), "--host", "cpu=cpu-box", "--host", "gpu=gpu-box"]);
    const exit = await ended(run);
    expect(exit.code, run.text()).toBe(0);
    const cpuUser = th().host("cpu-box").user;
    const gpuUser = th().host("gpu-box").user;
    expect(run.out()).toEqual([
      `root.work_A | running code A on a CPU machine (user ${cpuUser}, CUDA_VISIBLE_DEVICES=none)`,
      `root.work_B | running code B on a GPU machine after [running code A on a CPU machine: done] (user ${gpuUser}, CUDA_VISIBLE_DEVICES=${GPU_A.uuid})`,
      `flow: both works ran; B says [running code B on a GPU machine after [running code A on a CPU machine: done]: done]`,
    ]);
    // Where each work ran, in its log.
    const said = run.lines.filter((l) => l.stream === "stderr").map((l) => l.text);
    expect(said).toContain("root.work_A | [lit-app] root.work_A runs on cpu-box");
    expect(said).toContain("root.work_B | [lit-app] root.work_B runs on gpu-box");
    console.log(`${runtime}: the two-host workflow ran in ${exit.at.toFixed(0)} ms (SSH, agents, folder, work program, both works)`);
  }, 180_000);

  it("rebuilds works created inside run() on the host from the module of the app that exports their class (examples/dynamic)", async () => {
    const example = fileURLToPath(new URL("../../../../examples/dynamic/app.ts", import.meta.url));
    const run = litOnLaptop(th(), runtime, ["run", example, "--host", "gpu-box"]);
    const exit = await ended(run);
    expect(exit.code, run.text()).toBe(0);
    for (const user of ["alice", "bob", "carol"]) expect(run.out()).toContain(`root.manager.notebooks.${user} | notebook for ${user} is ready`);
    expect(run.out()).toContain("root.manager.notebooks.bob | notebook for bob shutting down");
    expect(run.lines.map((l) => l.text)).toContain("root.manager.notebooks.alice | [lit-app] root.manager.notebooks.alice runs on gpu-box");
  }, 180_000);

  it("gives two GPU works on one 2-GPU host a GPU each", async () => {
    const run = litOnLaptop(th(), runtime, ["run", app("gpu-pair"), "--host", "gpu=gpu-box"]);
    const exit = await ended(run);
    expect(exit.code, run.text()).toBe(0);
    const seen = run.out().filter((l) => l.includes(" | sees ")).sort();
    expect(seen).toHaveLength(2);
    const gpus = seen.map((l) => l.split(" sees ")[1]).sort();
    expect(gpus).toEqual([GPU_A.uuid, GPU_B.uuid].sort());
    expect(run.out()).toContain("flow: the GPUs differ: true");
  }, 120_000);

  it("runs a CommandWork's script from the app's folder synced to the host (.gitignore and .litignore honoured)", async () => {
    const dir = fileURLToPath(new URL("../../test/fixtures/remote/command/", import.meta.url));
    // Files the ignore files leave out (not in the repository either).
    writeFileSync(`${dir}notes.log`, "a local note\n");
    writeFileSync(`${dir}big.bin`, new Uint8Array(4096));
    try {
      const run = litOnLaptop(th(), runtime, ["run", app("command"), "--host", "gpu-box"]);
      const exit = await ended(run);
      expect(exit.code, run.text()).toBe(0);
      expect(run.out()).toEqual([
        `root.train | train.sh --epochs 2 as ${th().host("gpu-box").user} in command`,
        "root.train | data/params.json: there",
        "root.train | notes.log: left out",
        "root.train | big.bin: left out",
        "flow: train.sh exited with 0",
      ]);
    } finally {
      rmSync(`${dir}notes.log`, { force: true });
      rmSync(`${dir}big.bin`, { force: true });
    }
  }, 120_000);

  it("refuses a host whose key is unknown, saying how to trust it, exit 1 within the connect bound", async () => {
    const host = th().host("cpu-box");
    await th().laptop.untrust(host);
    try {
      const run = litOnLaptop(th(), runtime, ["run", app("ticker"), "--host", "cpu-box"], { LIT_TICKS: "1" });
      const exit = await ended(run, 30_000);
      expect(exit.code, run.text()).toBe(1);
      expect(run.text()).toMatch(/cpu-box/);
      expect(run.text()).toMatch(/ssh-keyscan/);
      expect(ticks(run)).toEqual([]);
      // 10 s bound, plus starting the runtime and the app.
      expect(exit.at).toBeLessThan(10_000 + 8_000);
    } finally {
      await th().laptop.trust(host);
    }
  }, 60_000);

  it("runs works on a host whose PATH has no runtime (Bun uploaded)", async () => {
    const run = litOnLaptop(th(), runtime, ["run", app("ticker"), "--host", "bare-box"], { LIT_TICKS: "3", LIT_TICK_MS: "10" });
    const exit = await ended(run, 120_000);
    expect(exit.code, run.text()).toBe(0);
    expect(run.out()).toContain(`root.ticker | ticking on bun as ${th().host("bare-box").user}`);
    expect(ticks(run)).toEqual(upTo(3));
  }, 150_000);

  it("loses no log line and doubles none when the link is cut mid-run and comes back within the host-lost limit", async () => {
    const host = th().host("cpu-box");
    // A limit (LIT_HOST_LOST_AFTER, seconds) longer than the cut, counted from when the loss is seen.
    const run = litOnLaptop(th(), runtime, ["run", app("ticker"), "--host", "cpu=cpu-box"], { LIT_TICKS: "60", LIT_TICK_MS: "100", LIT_HOST_LOST_AFTER: "30" });
    try {
      await run.waitFor(/tick 10$/, 60_000);
      await host.cut();
      // Past the channel's ping bound (10 s): the controller gives the socket up and reconnects.
      await new Promise((resolve) => setTimeout(resolve, 12_000));
    } finally {
      await host.restore();
    }
    const seenBefore = run.lines.length;
    const restored = performance.now();
    const exit = await ended(run, 90_000);
    expect(exit.code, run.text()).toBe(0);
    expect(ticks(run)).toEqual(upTo(60));
    expect(run.out().at(-1)).toBe("flow: the ticker is done");
    const next = run.lines.slice(seenBefore).find((l) => /tick \d+$/.test(l.text));
    console.log(`${runtime}: link back → first new log line ${next ? (next.at - (restored - run.startedAt)).toFixed(0) : "?"} ms, → app done ${(performance.now() - restored).toFixed(0)} ms`);
  }, 150_000);

  it("fails the works with reason host lost when the link stays down past --host-lost-after, and lit ends saying so", async () => {
    const host = th().host("cpu-box");
    const run = litOnLaptop(th(), runtime, ["run", app("ticker"), "--host", "cpu=cpu-box", "--host-lost-after", "3"], { LIT_TICKS: "600", LIT_TICK_MS: "100" });
    let cutAt = 0;
    try {
      await run.waitFor(/tick 5$/, 60_000);
      await host.cut();
      cutAt = performance.now() - run.startedAt;
      // The loss is seen within the channel's ping bound (10 s); 3 s later, with an attempt to reach the host
      // under way bounded by the connect timeout (10 s), the work is given up; lit ends with the host still cut.
      const exit = await ended(run, 45_000);
      expect(exit.code, run.text()).toBe(1);
      expect(run.text()).toMatch(/the app failed: root\.ticker failed: host lost: cpu-box stayed unreachable for 3 s/);
      expect(run.out()).not.toContain("flow: the ticker is done");
      const last = Math.max(...ticks(run));
      expect(ticks(run)).toEqual(upTo(last));
      console.log(`${runtime}: link cut → lit ended with host lost ${(exit.at - cutAt).toFixed(0)} ms (limit 3 s)`);
    } finally {
      await host.restore();
    }
  }, 120_000);

  it("loses no log line and doubles none when the host's agent is killed mid-run (restarted, the work re-adopted)", async () => {
    const host = th().host("cpu-box");
    const run = litOnLaptop(th(), runtime, ["run", app("ticker"), "--host", "cpu=cpu-box"], { LIT_TICKS: "40", LIT_TICK_MS: "100" });
    await run.waitFor(/tick 10$/, 60_000);
    const killed = await host.killAll({ match: /\/bundles\/[0-9a-f]{64}\.mjs/ });
    expect(killed.length).toBeGreaterThan(0);
    const exit = await ended(run, 90_000);
    expect(exit.code, run.text()).toBe(0);
    expect(ticks(run)).toEqual(upTo(40));
    expect(run.out().at(-1)).toBe("flow: the ticker is done");
  }, 150_000);

  it("lit hosts lists each host's agent, its GPUs free and used, and its running works", async () => {
    const run = litOnLaptop(th(), runtime, ["run", app("ticker"), "--host", "cpu=cpu-box"], { LIT_TICKS: "40", LIT_TICK_MS: "100" });
    await run.waitFor(/tick 5$/, 60_000);
    const hosts = litOnLaptop(th(), runtime, ["hosts", "cpu-box", "gpu-box"]);
    const listed = await ended(hosts, 30_000);
    expect(listed.code, hosts.text()).toBe(0);
    const out = hosts.out();
    expect(hosts.text()).toMatch(/^ {2}cpu-box \(.*\): agent \d+\.\d+\.\d+ on node /m);
    expect(out).toContain("  GPUs: 0 (0 free, 0 used)");
    expect(out.some((l) => /^ {4}root\.ticker {2}running {2}pid \d+ {2}app \S+$/.test(l)), hosts.text()).toBe(true);
    expect(hosts.text()).toMatch(/^ {2}gpu-box \(.*\): agent \d+\.\d+\.\d+ on bun /m);
    expect(out).toContain("  GPUs: 2 (2 free, 0 used)");
    expect(out).toContain(`    ${GPU_A.uuid}  A100  81920 MiB  free`);
    expect((await ended(run)).code, run.text()).toBe(0);
    // Without a name: the hosts lit run --host used from here.
    const all = litOnLaptop(th(), runtime, ["hosts"]);
    expect((await ended(all, 30_000)).code, all.text()).toBe(0);
    expect(all.out().filter((l) => /^(cpu|gpu)-box \(/.test(l))).toHaveLength(2);
  }, 120_000);

  it("forwards a work's HTTP port: its url answers on the user's machine", async () => {
    const run = litOnLaptop(th(), runtime, ["run", app("server"), "--host", "gpu-box"]);
    try {
      await run.waitFor(/serving at http:\/\/127\.0\.0\.1:7831$/, 60_000);
      const res = await th().laptop.fetch("http://127.0.0.1:7831/");
      expect(res.body).toBe(`hello from ${th().host("gpu-box").user}`);
    } finally {
      run.child.kill("SIGTERM");
    }
    expect((await ended(run, 30_000)).code, run.text()).toBe(0);
  }, 120_000);

  it("runs a work whose compute name is the user's own when a --host rule maps it (CloudCompute(\"a100\", { gpus: 2 }))", async () => {
    const run = litOnLaptop(th(), runtime, ["run", app("custom-compute"), "--host", "a100=gpu-box"]);
    const exit = await ended(run);
    expect(exit.code, run.text()).toBe(0);
    expect(run.out()).toEqual([`root.trainer | a100 work sees ${GPU_A.uuid},${GPU_B.uuid}`]);
  }, 120_000);

  it("hands a Path written by a work on cpu-box to a work on gpu-box, and sends it once", async () => {
    const run = litOnLaptop(th(), runtime, ["run", app("path-hosts"), "--host", "cpu=cpu-box", "--host", "gpu=gpu-box"]);
    const exit = await ended(run);
    expect(exit.code, run.text()).toBe(0);
    expect(run.out()).toEqual([
      "root.producer | wrote out/result.txt",
      `root.consumer | ${th().host("gpu-box").user} read 1000 lines from root.producer: written by ${th().host("cpu-box").user}`,
      `root.again | ${th().host("gpu-box").user} read 1000 lines from root.producer: written by ${th().host("cpu-box").user}`,
    ]);
    // Sent once through the storage engine (the file's one blob); the second reader's copy is already there.
    const said = run.lines.filter((l) => l.stream === "stderr").map((l) => l.text);
    const bytes = Number(said.map((l) => /^root\.consumer \| \[lit-app\] the Path out\/result\.txt of root\.producer from cpu-box to gpu-box: 1 blob, (\d+) bytes sent$/.exec(l)?.[1]).find(Boolean));
    expect(bytes, said.join("\n")).toBeGreaterThan(`written by ${th().host("cpu-box").user}\n`.length * 1000);
    expect(said).toContain("root.again | [lit-app] the Path out/result.txt of root.producer from cpu-box to gpu-box: unchanged, nothing sent");
  }, 120_000);

  it("hands a Path written on gpu-box to a work here, and one written here to a work on gpu-box", async () => {
    const run = litOnLaptop(th(), runtime, ["run", app("path-local"), "--host", "gpu=gpu-box"]);
    const exit = await ended(run);
    expect(exit.code, run.text()).toBe(0);
    expect(run.out()).toEqual([
      `root.near | read 1000 lines from root.far: written by ${th().host("gpu-box").user}`,
      `root.back | ${th().host("gpu-box").user} read 500 lines from root.near: written by near`,
    ]);
    const said = run.lines.filter((l) => l.stream === "stderr").map((l) => l.text);
    expect(said).toContainEqual(expect.stringMatching(/^root\.near \| \[lit-app\] the Path out\/far\.txt of root\.far from gpu-box to this machine: 1 blob, \d+ bytes sent$/));
    expect(said).toContainEqual(expect.stringMatching(/^root\.back \| \[lit-app\] the Path near\.txt of root\.near from this machine to gpu-box: 1 blob, \d+ bytes sent$/));
  }, 120_000);
});
