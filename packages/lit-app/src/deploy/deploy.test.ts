/**
 * `lit deploy` end to end, as a user runs it: the `lit` command on the test
 * hosts' laptop, the app on two machines reached over real SSH: the flow on
 * gpu-box (under its agent, on Bun), the CPU work on cpu-box, reached from
 * gpu-box with the app's own key.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestHosts } from "@lit-app/test-hosts/vitest";
import { litOnLaptop, litToEnd, waitUntil as until, type CliRuntime } from "../test-support/remote-run.ts";

const GPU = { uuid: "GPU-4b7a0c2e-0001-4d6f-9a51-a100000000a1", name: "A100", memoryMiB: 81920 };
const th = useTestHosts({ hosts: [{ name: "gpu-box", runtime: "bun", gpus: [GPU] }, { name: "cpu-box", runtime: "node" }] });

const APP = fileURLToPath(new URL("../../test/fixtures/deploy/workflow/app.ts", import.meta.url));
const HOSTS = ["--host", "gpu-box", "--host", "cpu=cpu-box"];
/** The workflow with a third work: a component tree the workflow's journal does not match. */
const CHANGED = fileURLToPath(new URL("../../test/fixtures/deploy/workflow-changed/app.ts", import.meta.url));

let runtime: CliRuntime = "node";

/** Runs `lit <args>` on the laptop (on the runtime under test) to its end. */
const lit = (args: string[], ms?: number) => litToEnd(th(), runtime, args, ms);


/** The flow's log on gpu-box. */
const flowLog = (name: string) => th().host("gpu-box").output(`cat ~/.lit/deployed/${name}/flow.log 2>/dev/null || true`);
/** The app's spec's bundle hash on gpu-box. */
const bundleOf = async (name: string) => (JSON.parse(await th().host("gpu-box").output(`cat ~/.lit/deployed/${name}/app.json`)) as { bundle: string }).bundle;

/** The calls the app's works ran on a host: each run leaves a line there (see the fixture). */
const runsOn = async (host: "gpu-box" | "cpu-box") => (await th().host(host).output("cat ~/workflow-runs.txt 2>/dev/null || true")).split("\n").filter(Boolean);
/** Forgets the runs of earlier tests. */
const clearRuns = async () => {
  for (const host of ["gpu-box", "cpu-box"] as const) await th().host(host).output("rm -f ~/workflow-runs.txt");
};
/** How many times each of work_B's lines `tick 1` .. `tick 30` is in the flow's log. */
const tickCounts = (log: string) => Array.from({ length: 30 }, (_, i) => log.split("\n").filter((l) => l === `root.work_B | tick ${i + 1}`).length);

/** The processes of the app on a host: its flow (its bundle) and its works (the agent's programs). */
async function appProcesses(host: "gpu-box" | "cpu-box", bundle: string) {
  const procs = await th().host(host).processes();
  return procs.filter((p) => p.args.includes(`/bundles/${bundle}.mjs`) || p.args.includes("/agent/programs/"));
}

describe.each<CliRuntime>(["node", "bun"])("lit deploy on %s", (cli) => {
  beforeAll(() => void (runtime = cli));

  it("deploys the seed's workflow to two hosts and returns while it runs; lit status and lit apps see it; it finishes with its output", async () => {
    const deployed = await lit(["deploy", APP, ...HOSTS, "--name", "wf"]);
    expect(deployed.code, deployed.text).toBe(0);
    expect(deployed.out[0]).toMatch(/^deployed wf in [\d.]+ s: the flow on gpu-box \(pid \d+\)$/);
    expect(deployed.out).toContain("  lit status --name wf    its stage and components");
    const bundle = await bundleOf("wf");
    // The command has ended; the flow goes on, under gpu-box's agent.
    expect(await appProcesses("gpu-box", bundle)).not.toHaveLength(0);
    // gpu-box reaches cpu-box's agent with the app's key, restricted to forwarding there.
    const keys = await th().host("cpu-box").output("cat ~/.ssh/authorized_keys");
    expect(keys).toMatch(/^restrict,port-forwarding,permitopen="127\.0\.0\.1:\d+",command="\/bin\/false" ssh-ed25519 \S+ lit-app:wf$/m);
    // The key runs nothing there: OpenSSH's client on gpu-box, with the flow's config, gets no shell.
    const shell = await th().host("gpu-box").exec("ssh -F ~/.lit/deployed/wf/ssh/.ssh/config -o BatchMode=yes cpu-box echo reached", { timeoutMs: 20_000 });
    expect(shell.stdout).not.toContain("reached");
    // It did connect and log in (no refusal, no unknown key): the forced command ran instead of echo, and failed.
    expect(shell.stderr).not.toMatch(/denied|verification failed|not found|refused/i);
    expect(shell.code, shell.stderr).toBe(1);

    await until("work_B to tick", async () => (await flowLog("wf")).includes("root.work_B | tick 1\n"));
    // lit logs -f, started while the app runs, prints every line once and ends when the app ends.
    const follow = litOnLaptop(th(), runtime, ["logs", "-f"]);
    const status = await lit(["status"]);
    expect(status.code, status.text).toBe(0);
    expect(status.out[0]).toMatch(/^wf: running, flow on gpu-box \(pid \d+\), 0 restarts$/);
    expect(status.out).toContain("  app stage: running");
    expect(status.out).toContain("  root  flow  on gpu-box");
    expect(status.out).toContain("  root.work_A  work  succeeded  on cpu-box  compute cpu");
    expect(status.out).toContain(`  root.work_B  work  running  on gpu-box  compute gpu  GPUs ${GPU.uuid}`);

    const apps = await lit(["apps"]);
    expect(apps.code, apps.text).toBe(0);
    expect(apps.out.find((l) => l.startsWith("wf "))).toMatch(/^wf {2}running {2}flow on gpu-box {2}hosts gpu-box, cpu-box {2}deployed \d+ s ago {2}pid \d+$/);

    await until("the app to finish", async () => (await flowLog("wf")).includes("flow: both works ran"), 90_000);
    const cpuUser = th().host("cpu-box").user;
    const gpuUser = th().host("gpu-box").user;
    const log = await flowLog("wf");
    // The app's own lines (not lit's notes, such as a work pending while its host prepares it).
    const out = log.split("\n").filter((l) => (l.startsWith("root.") && !l.includes(" | [lit-app] ")) || l.startsWith("flow:"));
    expect(out, log).toEqual([
      `root.work_A | running code A on a CPU machine (user ${cpuUser})`,
      `root.work_B | running code B on a GPU machine after [running code A on a CPU machine: done] (user ${gpuUser})`,
      ...Array.from({ length: 30 }, (_, i) => `root.work_B | tick ${i + 1}`),
      "flow: both works ran; B says [running code B on a GPU machine after [running code A on a CPU machine: done]: done]",
    ]);
    const followed = await Promise.race([
      follow.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`lit logs -f did not end with the app:\n${follow.text()}`)), 60_000).unref()),
    ]);
    expect(followed.code, follow.text()).toBe(0);
    const finalLog = await flowLog("wf");
    expect(follow.out(), follow.text()).toEqual(finalLog.split("\n").filter((l) => l !== ""));
    // One component's lines only.
    const workB = await lit(["logs", "root.work_B", "--name", "wf"]);
    expect(workB.code, workB.text).toBe(0);
    expect(workB.out).toEqual(finalLog.split("\n").filter((l) => l.startsWith("root.work_B | ")));
    expect(workB.out).toHaveLength(31 + workB.out.filter((l) => l.includes(" | [lit-app] ")).length);
    await until("the app's processes to end", async () => (await appProcesses("gpu-box", bundle)).length + (await appProcesses("cpu-box", bundle)).length === 0, 30_000);
    const ended = await lit(["status", "--name", "wf"]);
    expect(ended.out[0]).toMatch(/^wf: finished, flow on gpu-box, 0 restarts$/);
    // Purged: the works' storage on both hosts, and the app's record on the flow's host.
    const storage = (JSON.parse(await th().host("gpu-box").output("cat ~/.lit/deployed/wf/app.json")) as { hosts: { alias: string; storageDir: string }[] }).hosts;
    const exists = (alias: string) => th().host(alias).output(`test -d ${storage.find((h) => h.alias === alias)!.storageDir} && echo yes || echo no`);
    // What works would have kept there (this app's works keep nothing).
    for (const h of storage) await th().host(h.alias).output(`mkdir -p ${h.storageDir}/root.work_A && echo kept > ${h.storageDir}/root.work_A/out.txt`);
    expect([await exists("gpu-box"), await exists("cpu-box")]).toEqual(["yes\n", "yes\n"]);
    const stopped = await lit(["stop", "--name", "wf", "--purge"]);
    expect(stopped.code, stopped.text).toBe(0);
    expect(stopped.out).toEqual(["stopped wf on gpu-box, its storage removed on every host"]);
    expect([await exists("gpu-box"), await exists("cpu-box")]).toEqual(["no\n", "no\n"]);
    expect(await th().host("gpu-box").output("test -e ~/.lit/deployed/wf && echo yes || echo no")).toBe("no\n");
  }, 300_000);

  it("a redeploy replaces the app; lit stop leaves no process and no key behind", async () => {
    const first = await lit(["deploy", APP, ...HOSTS, "--name", `again-${cli}`]);
    expect(first.code, first.text).toBe(0);
    const firstPid = Number(/\(pid (\d+)\)/.exec(first.out[0]!)![1]);
    const firstBundle = await bundleOf(`again-${cli}`);
    await until("the first app's works to run", async () => (await flowLog(`again-${cli}`)).includes("tick 2"));
    const second = await lit(["deploy", APP, ...HOSTS, "--name", `again-${cli}`]);
    expect(second.code, second.text).toBe(0);
    const secondPid = Number(/\(pid (\d+)\)/.exec(second.out[0]!)![1]);
    // Nothing changed: the programs come from this machine's cache (the deploy says what it builds), the same ones.
    expect(second.text).not.toMatch(/lit deploy: built/);
    expect(await bundleOf(`again-${cli}`)).toBe(firstBundle);
    const took = (run: { out: string[] }) => /in ([\d.]+) s/.exec(run.out[0]!)![1];
    console.log(`${cli}: deploy to two hosts ${took(first)} s, redeploy of the same app ${took(second)} s (the old flow and its works stopped first)`);
    expect(secondPid).not.toBe(firstPid);
    const procs = await th().host("gpu-box").processes();
    expect(procs.some((p) => p.pid === firstPid)).toBe(false);
    expect(procs.some((p) => p.pid === secondPid)).toBe(true);
    // The old flow stopped its works: the new one started them afresh (A ran again, after the old one's ticks).
    await until("the new app's works to run", async () => (await flowLog(`again-${cli}`)).split("\n").filter((l) => l.startsWith("root.work_A |")).length === 2);

    const bundle = await bundleOf(`again-${cli}`);
    const stop = await lit(["stop"]);
    expect(stop.code, stop.text).toBe(0);
    expect(stop.out).toEqual([`stopped again-${cli} on gpu-box (its storage is kept; --purge removes it)`]);
    expect(await appProcesses("gpu-box", bundle)).toEqual([]);
    expect(await appProcesses("cpu-box", bundle)).toEqual([]);
    expect(await th().host("cpu-box").output("cat ~/.ssh/authorized_keys")).not.toContain(`lit-app:again-${cli}`);
    const apps = await lit(["apps"]);
    expect(apps.out.find((l) => l.startsWith(`again-${cli} `))).toMatch(new RegExp(`^again-${cli} {2}stopped `));
    const none = await lit(["status"]);
    expect(none.code).toBe(2);
    expect(none.text).toMatch(/lit status: no deployed app is running on the hosts lit knows/);
  }, 300_000);

  it.runIf(cli === "node")("a flow process killed mid-run is started again by its agent, re-attaches to its works, and the app finishes with no call run again", async () => {
    await clearRuns();
    const deployed = await lit(["deploy", APP, ...HOSTS, "--name", "crash"]);
    expect(deployed.code, deployed.text).toBe(0);
    const pid = Number(/\(pid (\d+)\)/.exec(deployed.out[0]!)![1]);
    await until("work_B to tick", async () => (await flowLog("crash")).includes("root.work_B | tick 2\n"));
    process.kill(pid, "SIGKILL");
    await until("the app to finish", async () => (await flowLog("crash")).includes("flow: both works ran"), 90_000);
    const status = await lit(["status", "--name", "crash"]);
    expect(status.out[0]).toMatch(/^crash: finished, flow on gpu-box, 1 restart$/);
    // The new flow resumed from the journal: work_A's call had succeeded and did not run again.
    const lines = (await flowLog("crash")).split("\n");
    expect(lines.filter((l) => l.startsWith("root.work_A | running code A"))).toHaveLength(1);
    // work_B's call, running when the flow died, was re-attached where it ran on: not sent again, and its lines after
    // the last one the old flow showed are shown (a line printed in the ~10 ms before the kill may show twice).
    const ticks = tickCounts(lines.join("\n"));
    expect(ticks.every((n) => n >= 1), ticks.join(",")).toBe(true);
    expect(ticks.reduce((a, b) => a + b), ticks.join(",")).toBeLessThanOrEqual(31);
    // Each call ran once on its host.
    expect(await runsOn("cpu-box")).toEqual(["running code A on a CPU machine"]);
    expect(await runsOn("gpu-box")).toEqual(["running code B on a GPU machine after [running code A on a CPU machine: done]"]);
    const stop = await lit(["stop", "--name", "crash", "--purge"]);
    expect(stop.code, stop.text).toBe(0);
  }, 240_000);

  it.runIf(cli === "node")("every process of both hosts' users killed: the next lit command starts the agents again, the flow starts again, and the app finishes with no succeeded call run again", async () => {
    await clearRuns();
    const deployed = await lit(["deploy", APP, ...HOSTS, "--name", "reboot"]);
    expect(deployed.code, deployed.text).toBe(0);
    await until("work_B to tick", async () => (await flowLog("reboot")).includes("root.work_B | tick 2\n"));
    expect(await th().host("gpu-box").killAll()).not.toHaveLength(0);
    expect(await th().host("cpu-box").killAll()).not.toHaveLength(0);
    const status = await lit(["status", "--name", "reboot"]);
    expect(status.code, status.text).toBe(0);
    expect(status.out[0]).toMatch(/^reboot: running, flow on gpu-box \(pid \d+\), 1 restart$/);
    // The flow reaches cpu-box again: its agent is back on the port the app's key forwards to.
    await until("the app to finish", async () => (await flowLog("reboot")).includes("flow: both works ran"), 120_000).catch(async (e) => {
      console.log(`the flow's log:\n${await flowLog("reboot")}`);
      throw e;
    });
    // Resumed from the journal: work_A's call, which had succeeded, did not run again.
    expect((await flowLog("reboot")).split("\n").filter((l) => l.startsWith("root.work_A | running code A"))).toHaveLength(1);
    expect(await runsOn("cpu-box")).toEqual(["running code A on a CPU machine"]);
    // work_B's call had not succeeded and its process was killed with the rest: it was sent again, once.
    expect(await runsOn("gpu-box")).toHaveLength(2);
    const stop = await lit(["stop", "--name", "reboot", "--purge"]);
    expect(stop.code, stop.text).toBe(0);
  }, 300_000);

  it.runIf(cli === "node")("a redeploy with --resume keeps the app's state (a call that succeeded does not run again), fails on a changed component tree saying what differs and keeping the state; without it the app starts afresh", async () => {
    await clearRuns();
    const first = await lit(["deploy", APP, ...HOSTS, "--name", "keep"]);
    expect(first.code, first.text).toBe(0);
    await until("work_B to tick", async () => (await flowLog("keep")).includes("root.work_B | tick 2\n"));
    const resumed = await lit(["deploy", APP, ...HOSTS, "--name", "keep", "--resume"]);
    expect(resumed.code, resumed.text).toBe(0);
    await until("the app to finish", async () => (await flowLog("keep")).includes("flow: both works ran"), 120_000);
    // work_A's call had succeeded: the resumed app has its result and does not run it again.
    expect(await runsOn("cpu-box")).toEqual(["running code A on a CPU machine"]);
    expect((await flowLog("keep")).split("\n").filter((l) => l.startsWith("root.work_A | running code A"))).toHaveLength(1);
    // A changed component tree cannot be resumed: the deploy fails saying what differs, and the state stays.
    const changed = await lit(["deploy", CHANGED, ...HOSTS, "--name", "keep", "--resume"]);
    expect(changed.code, changed.text).not.toBe(0);
    expect(changed.text).toMatch(/components differ from this one's: root\.work_C \(LitWorker\) is new/);
    const back = await lit(["deploy", APP, ...HOSTS, "--name", "keep", "--resume"]);
    expect(back.code, back.text).toBe(0);
    // Resumed from the state the first app left (it had finished): it ends without running a call.
    await until("the resumed app to end", async () => /^keep: (finished|stopped)/.test((await lit(["status", "--name", "keep"])).out[0] ?? ""), 60_000);
    expect(await runsOn("cpu-box")).toEqual(["running code A on a CPU machine"]);
    // Deployed again without --resume: afresh, work_A runs again.
    const fresh = await lit(["deploy", APP, ...HOSTS, "--name", "keep"]);
    expect(fresh.code, fresh.text).toBe(0);
    await until("work_A to run again", async () => (await runsOn("cpu-box")).length === 2, 60_000);
    const stop = await lit(["stop", "--name", "keep", "--purge"]);
    expect(stop.code, stop.text).toBe(0);
  }, 300_000);

  it("a host unreachable at deploy time fails the deploy, naming it, with nothing started", async () => {
    const cpu = th().host("cpu-box");
    await cpu.stopSshd();
    try {
      const run = await lit(["deploy", APP, ...HOSTS, "--name", "down"]);
      expect(run.code, run.text).not.toBe(0);
      expect(run.text).toMatch(/lit deploy: cpu-box cannot be used: .*Nothing was started\./);
    } finally {
      await cpu.startSshd();
    }
    expect(await th().host("gpu-box").output("ls ~/.lit/deployed/ 2>/dev/null || true")).not.toMatch(/^down$/m);
    expect((await th().host("gpu-box").processes()).filter((p) => p.args.includes("/agent/programs/"))).toEqual([]);
  }, 120_000);

  it("a flow host that cannot reach another host fails the deploy, naming the pair and why; its key and the app are removed", async () => {
    const gpu = th().host("gpu-box");
    const cpu = th().host("cpu-box");
    const route = (op: "add" | "del") => execFileSync("ip", ["netns", "exec", gpu.namespace, "ip", "route", op, "prohibit", `${cpu.address}/32`]);
    route("add");
    try {
      const run = await lit(["deploy", APP, ...HOSTS, "--name", "apart"]);
      expect(run.code, run.text).not.toBe(0);
      expect(run.text).toMatch(/lit deploy: apart on gpu-box: gpu-box cannot reach cpu-box \(.*\): /);
    } finally {
      route("del");
    }
    expect(await gpu.output("ls ~/.lit/deployed/ 2>/dev/null || true")).not.toMatch(/^apart$/m);
    expect(await cpu.output("cat ~/.ssh/authorized_keys")).not.toContain("lit-app:apart");
    // The agent is the only program of lit's left there.
    const agentPid = (JSON.parse(await gpu.output("cat ~/.lit/agent/agent.json")) as { pid: number }).pid;
    expect(gpu.processes().filter((p) => /\/bundles\/[0-9a-f]{64}\.mjs/.test(p.args) && p.pid !== agentPid)).toEqual([]);
  }, 120_000);
});
