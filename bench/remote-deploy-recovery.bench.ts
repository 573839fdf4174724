/**
 * A deployed flow's recovery across the test hosts: the seed's workflow is
 * deployed with `lit deploy` (the flow on gpu-box, the CPU work on cpu-box);
 * while work_B runs on gpu-box the flow process is killed (kill -9); its
 * agent starts it again, and the new flow resumes from its journal and
 * re-attaches to work_B, still running under the agent. The figure is the
 * time from the kill to the first line of work_B the new flow shows (it
 * shows the work's lines again only once re-attached). Beside it, in the
 * same round, the time from the kill to the new flow's process being there
 * (the agent's restart, the least a recovery takes). Each round checks that
 * no call ran twice (each run leaves a line on its host).
 *
 * Registered in suites.ts (`npm run bench -- deploy-recovery`); needs root
 * (the test hosts). Also runs alone: node --import tsx bench/remote-deploy-recovery.bench.ts
 */
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startTestHosts, whyNoTestHosts, type TestHosts } from "@lit-app/test-hosts";
import { FULL, median, printTable, type BenchOptions, type BenchRow } from "./harness.ts";
import { litOnLaptop } from "../packages/lit-app/src/test-support/remote-run.ts";

const APP = fileURLToPath(new URL("../packages/lit-app/test/fixtures/deploy/workflow/app.ts", import.meta.url));
const GPU = { uuid: "GPU-4b7a0c2e-0001-4d6f-9a51-a100000000a1", name: "A100", memoryMiB: 81920 };
const ROUNDS = { full: 3, tiny: 1 } as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `check`, every `everyMs`, up to `ms`, naming `what`. */
async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 60_000, everyMs = 5): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The pids of processes running the app's flow bundle (`/bundles/<hash>.mjs`), read from /proc here (the hosts share its pids). */
function flowPids(bundle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(`/bundles/${bundle}.mjs`)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

/** Runs `lit <args>` on the laptop to its end; throws with its output when it fails. */
async function lit(th: TestHosts, args: string[]): Promise<string[]> {
  const run = litOnLaptop(th, "node", args);
  const exit = await run.exited;
  if (exit.code !== 0) throw new Error(`lit ${args.join(" ")} failed:\n${run.text()}`);
  return run.out();
}

/** One round: deploy, kill the flow while work_B runs, time its restart and re-attach. */
async function round(th: TestHosts, name: string): Promise<{ reattached: number; restarted: number }> {
  const gpu = th.host("gpu-box");
  for (const host of ["gpu-box", "cpu-box"]) await th.host(host).output("rm -f ~/workflow-runs.txt");
  const out = await lit(th, ["deploy", APP, "--host", "gpu-box", "--host", "cpu=cpu-box", "--name", name]);
  const pid = Number(/\(pid (\d+)\)/.exec(out[0] ?? "")?.[1]);
  const bundle = (JSON.parse(await gpu.output(`cat ~/.lit/deployed/${name}/app.json`)) as { bundle: string }).bundle;
  // The flow's log as it grows, each line timed here as it comes.
  const tail = gpu.spawn(`exec tail -n +1 -F ~/.lit/deployed/${name}/flow.log`);
  const lines: { text: string; at: number }[] = [];
  createInterface({ input: tail.stdout! }).on("line", (text) => lines.push({ text, at: performance.now() }));
  try {
    await until("work_B's second line", () => lines.some((l) => l.text === "root.work_B | tick 2"), 60_000, 20);
    const seen = lines.length;
    const killedAt = performance.now();
    process.kill(pid, "SIGKILL");
    const restartedAt = await until("the flow started again", () => (flowPids(bundle).some((p) => p !== pid) ? performance.now() : undefined), 60_000, 2);
    const first = await until("work_B's first line shown by the new flow", () => lines.slice(seen).find((l) => l.text.startsWith("root.work_B | tick ")), 60_000, 2);
    await until("the app to finish", () => lines.some((l) => l.text.startsWith("flow: both works ran")), 60_000, 50);
    const runs = (await gpu.output("cat ~/workflow-runs.txt")).split("\n").filter(Boolean).length + (await th.host("cpu-box").output("cat ~/workflow-runs.txt")).split("\n").filter(Boolean).length;
    if (runs !== 2) throw new Error(`a call ran again after the flow was killed: ${runs} runs of the app's 2 calls`);
    return { reattached: first.at - killedAt, restarted: restartedAt - killedAt };
  } finally {
    tail.kill();
    await lit(th, ["stop", "--name", name, "--purge"]).catch(() => undefined);
  }
}

/** Runs the recovery benchmark; the test hosts are removed even on failure. */
export async function benchRemoteDeployRecovery(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const why = whyNoTestHosts();
  if (why !== undefined) throw new Error(`the deploy-recovery benchmark needs the test hosts (network namespaces with their own sshd): ${why}`);
  const th = await startTestHosts({ hosts: [{ name: "gpu-box", runtime: "bun", gpus: [GPU] }, { name: "cpu-box", runtime: "node" }] });
  try {
    const rounds: { reattached: number; restarted: number }[] = [];
    for (let i = 0; i < (options.tiny ? ROUNDS.tiny : ROUNDS.full); i++) rounds.push(await round(th, `recover-${i}`));
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
    return [
      {
        name: "flow killed (kill -9) → its work re-attached (first line the new flow shows)",
        value: median(rounds.map((r) => r.reattached)),
        unit: "ms",
        baselineName: "→ the flow's process started again by its agent",
        baseline: median(rounds.map((r) => r.restarted)),
        note: `median of ${rounds.length} round(s) (${fmt(rounds.map((r) => r.reattached))} ms; restart ${fmt(rounds.map((r) => r.restarted))} ms); the flow on gpu-box (Bun), no call ran twice`,
      },
    ];
  } finally {
    await th.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("lit deploy: a flow killed and recovered across the test hosts", await benchRemoteDeployRecovery());
}
