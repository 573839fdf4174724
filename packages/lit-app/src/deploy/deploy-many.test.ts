/**
 * Several deployed apps on the same hosts, Drives in a deployed app, and
 * `lit stop` when the flow's host is down, end to end on the test hosts
 * (`lit` on the laptop, the flows on gpu-box, works on gpu-box and cpu-box):
 *
 * - two apps deployed from one folder under two names, with works of the
 *   same names on both hosts, run side by side, each with its own lines and
 *   results; `lit stop` of one leaves the other running, and `lit status`
 *   tells each right;
 * - a deployed app's works on two hosts put one name in one Drive: the flow
 *   keeps the Drive, so the first claims it and the second is refused;
 * - `lit stop` with the flow host's link cut stops the works on the other
 *   host through its agent, removes the app's key there, says what remains
 *   and exits 1; once the host is back, `lit stop` ends the rest; with the
 *   flow gone from its host, it stops the works left on the other host.
 */
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { useTestHosts } from "@lit-app/test-hosts/vitest";
import { litToEnd, waitUntil as until, type CliRuntime } from "../test-support/remote-run.ts";

const GPU = (n: number) => ({ uuid: `GPU-4b7a0c2e-000${n}-4d6f-9a51-a100000000b${n}`, name: "A100", memoryMiB: 81920 });
// Two GPUs on gpu-box: each app's root.work_B holds one.
const th = useTestHosts({ hosts: [{ name: "gpu-box", runtime: "bun", gpus: [GPU(1), GPU(2)] }, { name: "cpu-box", runtime: "node" }] });

const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/deploy/${name}/app.ts`, import.meta.url));
const MANY = fixture("many");
const CLAIMS = fixture("drive-claim");
const HOSTS = ["--host", "gpu-box", "--host", "cpu=cpu-box"];
type Host = "gpu-box" | "cpu-box";

let runtime: CliRuntime = "node";

/** The apps a test deployed: stopped (and purged) after it, whatever happened. */
const deployedNames = new Set<string>();

/** Runs `lit <args>` on the laptop (on the runtime under test) to its end. */
function lit(args: string[], ms?: number) {
  if (args[0] === "deploy") deployedNames.add(args[args.indexOf("--name") + 1]!);
  return litToEnd(th(), runtime, args, ms);
}


/** The flow's log of the app `name` on gpu-box. */
const flowLog = (name: string) => th().host("gpu-box").output(`cat ~/.lit/deployed/${name}/flow.log 2>/dev/null || true`);
/** The app's own lines in its flow's log (not lit's notes). */
const appLines = async (name: string) => (await flowLog(name)).split("\n").filter((l) => (l.startsWith("root.") && !l.includes(" | [lit-app] ")) || l.startsWith("flow:"));
/** The works' processes on a host whose app is `name` (each prints its app's name with its ticks: its process runs the agent's work program). */
async function workProcesses(host: Host): Promise<number> {
  return (await th().host(host).processes()).filter((p) => p.args.includes("/agent/programs/")).length;
}
/** The lines `<app> <work>` each call of the `many` fixture left on a host. */
const runsOn = async (host: Host) => (await th().host(host).output("cat ~/many-runs.txt 2>/dev/null || true")).split("\n").filter(Boolean);
/** The lines of authorized_keys on a host that are the app's key. */
const keyLines = async (host: Host, name: string) => (await th().host(host).output("cat ~/.ssh/authorized_keys 2>/dev/null || true")).split("\n").filter((l) => l.endsWith(` lit-app:${name}`));
/** Which work holds which GPUs on gpu-box, as its agent keeps it (a work named after its app's key). */
const gpusHeld = async () => (JSON.parse(await th().host("gpu-box").output("cat ~/.lit/agent/gpus.json")) as { works: Record<string, string[]> }).works;
/** The last tick line of `work` in the app's log. */
const lastTick = async (name: string, work: string) => {
  const ticks = (await appLines(name)).filter((l) => l.startsWith(`${work} | ${name} tick `));
  return Number(ticks.at(-1)?.split(" ").at(-1) ?? 0);
};

describe.each<CliRuntime>(["node", "bun"])("several deployed apps, lit on %s", (cli) => {
  beforeAll(() => void (runtime = cli));
  afterEach(async () => {
    for (const name of deployedNames) await lit(["stop", "--name", name, "--purge"]).catch(() => undefined);
    deployedNames.clear();
  }, 120_000);

  it("two apps with works of the same names on the same hosts run side by side, each with its own output", async () => {
    await th().host("gpu-box").output("rm -f ~/many-runs.txt");
    await th().host("cpu-box").output("rm -f ~/many-runs.txt");
    for (const name of ["one", "two"]) {
      const deployed = await lit(["deploy", MANY, ...HOSTS, "--name", name]);
      expect(deployed.code, deployed.text).toBe(0);
    }
    for (const name of ["one", "two"]) await until(`${name} to finish`, async () => (await appLines(name)).some((l) => l.startsWith("flow:")), 90_000);
    const cpu = th().host("cpu-box").user;
    const gpu = th().host("gpu-box").user;
    for (const name of ["one", "two"]) {
      const lines = await appLines(name);
      expect(lines.filter((l) => l.startsWith("root.work_A |")), lines.join("\n")).toEqual(Array.from({ length: 10 }, (_, i) => `root.work_A | ${name} tick ${i + 1}`));
      expect(lines.filter((l) => l.startsWith("root.work_B |")), lines.join("\n")).toEqual(Array.from({ length: 10 }, (_, i) => `root.work_B | ${name} tick ${i + 1}`));
      expect(lines.at(-1)).toBe(`flow: ${name} A by ${cpu}; ${name} B by ${gpu}`);
    }
    // Each call ran once, on its host.
    expect((await runsOn("cpu-box")).sort()).toEqual(["one A", "two A"]);
    expect((await runsOn("gpu-box")).sort()).toEqual(["one B", "two B"]);
    // Each app's output is in its own storage on its work's host.
    for (const name of ["one", "two"]) {
      expect(await th().host("cpu-box").output(`cat ~/.lit/storage/apps/deployed-${name}/root.work_A/out.txt`)).toBe(`${name} A\n`);
      expect(await th().host("gpu-box").output(`cat ~/.lit/storage/apps/deployed-${name}/root.work_B/out.txt`)).toBe(`${name} B\n`);
    }
  }, 300_000);

  it("lit stop of one app leaves the other's works of the same names running, and lit status tells both right", async () => {
    for (const name of ["long-1", "long-2"]) {
      const deployed = await lit(["deploy", MANY, ...HOSTS, "--name", name]);
      expect(deployed.code, deployed.text).toBe(0);
    }
    for (const name of ["long-1", "long-2"]) for (const work of ["root.work_A", "root.work_B"]) await until(`${name}'s ${work} to tick`, async () => (await lastTick(name, work)) > 0);
    expect([await workProcesses("gpu-box"), await workProcesses("cpu-box")]).toEqual([2, 2]);
    // Each app's root.work_B holds a GPU of its own.
    const held = await gpusHeld();
    expect(Object.keys(held).sort()).toEqual(["apps/deployed-long-1#root.work_B", "apps/deployed-long-2#root.work_B"]);
    expect(new Set(Object.values(held).flat()).size).toBe(2);
    // lit hosts names each GPU's holder by its dotted name and its app.
    const hosts = await lit(["hosts", "gpu-box"]);
    expect(hosts.code, hosts.text).toBe(0);
    for (const name of ["long-1", "long-2"]) expect(hosts.out.filter((l) => l.endsWith(`used by root.work_B (app deployed-${name})`)), hosts.text).toHaveLength(1);
    expect(hosts.out.filter((l) => /^ {4}root\.work_B {2}running {2}pid \d+ {2}GPUs \S+ {2}app deployed-long-[12]$/.test(l)), hosts.text).toHaveLength(2);

    const stop = await lit(["stop", "--name", "long-1"]);
    expect(stop.code, stop.text).toBe(0);
    expect(stop.out).toEqual(["stopped long-1 on gpu-box (its storage is kept; --purge removes it)"]);
    // long-1's works are gone from both hosts; long-2's go on.
    await until("long-1's works to end", async () => (await workProcesses("gpu-box")) === 1 && (await workProcesses("cpu-box")) === 1, 30_000);
    const [a, b] = [await lastTick("long-2", "root.work_A"), await lastTick("long-2", "root.work_B")];
    await until("long-2 to tick on", async () => (await lastTick("long-2", "root.work_A")) > a + 5 && (await lastTick("long-2", "root.work_B")) > b + 5, 30_000);
    expect(await keyLines("cpu-box", "long-1")).toEqual([]);
    expect(await keyLines("cpu-box", "long-2")).toHaveLength(1);

    const one = await lit(["status", "--name", "long-1"]);
    expect(one.out[0], one.text).toMatch(/^long-1: stopped, flow on gpu-box/);
    const two = await lit(["status", "--name", "long-2"]);
    expect(two.code, two.text).toBe(0);
    expect(two.out[0]).toMatch(/^long-2: running, flow on gpu-box \(pid \d+\), 0 restarts$/);
    expect(two.out).toContain("  root.work_A  work  running  on cpu-box  compute cpu");
    expect(two.out).toContainEqual(expect.stringMatching(/^ {2}root\.work_B {2}work {2}running {2}on gpu-box {2}compute gpu {2}GPUs GPU-4b7a0c2e-000[12]-\S+$/));
    // long-1's root.work_B gave its GPU back; long-2's keeps its own.
    expect(Object.keys(await gpusHeld())).toEqual(["apps/deployed-long-2#root.work_B"]);

    for (const name of ["long-1", "long-2"]) expect((await lit(["stop", "--name", name, "--purge"])).code).toBe(0);
    await until("every work to end", async () => (await workProcesses("gpu-box")) + (await workProcesses("cpu-box")) === 0, 30_000);
  }, 300_000);

  it("a deployed app hands a Path written by its work on cpu-box to its work on gpu-box, and sends it once", async () => {
    const app = fileURLToPath(new URL("../../test/fixtures/remote/path-hosts/app.ts", import.meta.url));
    const deployed = await lit(["deploy", app, ...HOSTS, "--name", "paths"]);
    expect(deployed.code, deployed.text).toBe(0);
    await until("the app to end", async () => (await flowLog("paths")).includes("the app ended"), 90_000);
    const [gpu, cpu] = [th().host("gpu-box").user, th().host("cpu-box").user];
    expect(await appLines("paths")).toEqual([
      "root.producer | wrote out/result.txt",
      `root.consumer | ${gpu} read 1000 lines from root.producer: written by ${cpu}`,
      `root.again | ${gpu} read 1000 lines from root.producer: written by ${cpu}`,
    ]);
    const log = await flowLog("paths");
    expect(log).toMatch(/^root\.consumer \| \[lit-app\] the Path out\/result\.txt of root\.producer from cpu-box to gpu-box: 1 blob, \d+ bytes sent$/m);
    expect(log).toContain("root.again | [lit-app] the Path out/result.txt of root.producer from cpu-box to gpu-box: unchanged, nothing sent");
    expect((await lit(["stop", "--name", "paths", "--purge"])).code).toBe(0);
  }, 300_000);

  it("a deployed app's works on two hosts claim one Drive name: the first wins, the second is refused", async () => {
    const deployed = await lit(["deploy", CLAIMS, ...HOSTS, "--name", "claims"]);
    expect(deployed.code, deployed.text).toBe(0);
    await until("both works to try", async () => (await appLines("claims")).filter((l) => l.startsWith("root.work_")).length >= 2, 90_000);
    expect(await appLines("claims")).toEqual([
      "root.work_A | A: put model.txt",
      `root.work_B | B: E_DRIVE_CONFLICT: root.work_B cannot put "model.txt" in the Drive lit://models: root.work_A already put it there. ` +
        "Put it under another name, delete it from root.work_A first, or create the Drive with { allowDuplicates: true }.",
    ]);
    // The Drive is kept in the app's storage on the flow's host, with cpu-box's file in it; cpu-box keeps none.
    expect(await th().host("gpu-box").output("cat ~/.lit/storage/apps/deployed-claims/.drives/models/root.work_A/model.txt")).toBe(`A by ${th().host("cpu-box").user}\n`);
    expect(await th().host("cpu-box").output("test -e ~/.lit/storage/apps/deployed-claims/.drives && echo yes || echo no")).toBe("no\n");
    expect((await lit(["stop", "--name", "claims", "--purge"])).code).toBe(0);
  }, 300_000);

  it("lit stop with the flow's host cut off stops the works on the other host, says what remains, and exits 1", async () => {
    const deployed = await lit(["deploy", MANY, ...HOSTS, "--name", "long-cut"]);
    expect(deployed.code, deployed.text).toBe(0);
    await until("long-cut's works to tick", async () => (await lastTick("long-cut", "root.work_A")) > 0 && (await lastTick("long-cut", "root.work_B")) > 0);
    expect(await workProcesses("cpu-box")).toBe(1);
    const gpu = th().host("gpu-box");
    await gpu.cut();
    let stop: Awaited<ReturnType<typeof lit>>;
    try {
      stop = await lit(["stop", "--name", "long-cut"]);
      // cpu-box's work is gone, and so is the app's key there, while gpu-box is still cut off.
      expect(await workProcesses("cpu-box")).toBe(0);
      expect(await keyLines("cpu-box", "long-cut")).toEqual([]);
    } finally {
      await gpu.restore();
    }
    expect(stop.code, stop.text).toBe(1);
    expect(stop.out).toEqual(["stopped long-cut's works on cpu-box: root.work_A; its key removed there"]);
    expect(stop.err.join("\n")).toMatch(/^lit stop: the flow of long-cut could not be reached: no host lit reached runs it \(not reached: gpu-box: /m);
    expect(stop.err.join("\n")).toMatch(/lit stop: still to do: the flow of long-cut on gpu-box was not stopped, .* run lit stop --name long-cut again once gpu-box can be reached/);
    // Once gpu-box is back, lit stop ends the flow and its work there.
    await until("gpu-box to answer", async () => (await gpu.exec("true", { timeoutMs: 5000 }).catch(() => ({ code: 1 }))).code === 0, 30_000);
    const again = await lit(["stop", "--name", "long-cut", "--purge"]);
    expect(again.code, again.text).toBe(0);
    await until("every work to end", async () => (await workProcesses("gpu-box")) + (await workProcesses("cpu-box")) === 0, 30_000);
  }, 300_000);
  it("lit stop --purge of an app whose flow is gone from its host stops its works on the other host directly and removes its storage there", async () => {
    const deployed = await lit(["deploy", MANY, ...HOSTS, "--name", "long-gone"]);
    expect(deployed.code, deployed.text).toBe(0);
    await until("long-gone's works to tick", async () => (await lastTick("long-gone", "root.work_A")) > 0 && (await lastTick("long-gone", "root.work_B")) > 0);
    // gpu-box lost every process and the app's record (a wiped ~/.lit/deployed): cpu-box's work runs on, with no flow.
    expect(await th().host("gpu-box").killAll()).not.toHaveLength(0);
    await th().host("gpu-box").output("rm -rf ~/.lit/deployed/long-gone");
    expect(await workProcesses("cpu-box")).toBe(1);
    // What a work of the app keeps there (this app's works store nothing of their own).
    await th().host("cpu-box").output("mkdir -p ~/.lit/storage/apps/deployed-long-gone/run && echo 1 > ~/.lit/storage/apps/deployed-long-gone/run/model.bin");
    const storage = async () => (await th().host("cpu-box").output("test -d ~/.lit/storage/apps/deployed-long-gone && echo kept || echo gone")).trim();
    expect(await storage()).toBe("kept");
    const stop = await lit(["stop", "--name", "long-gone", "--purge"]);
    expect(stop.code, stop.text).toBe(0);
    expect(stop.err).toContain("lit stop: the flow of long-gone is gone from its host; stopping its works directly.");
    expect(stop.out).toContain("stopped long-gone's works on cpu-box: root.work_A; its key removed there; its storage removed there");
    expect(await workProcesses("cpu-box")).toBe(0);
    expect(await keyLines("cpu-box", "long-gone")).toEqual([]);
    expect(await storage()).toBe("gone");
  }, 300_000);
});
