/**
 * `lit deploy` across the test hosts: the seed's workflow deployed with the
 * `lit` command on the laptop (Node) to two fresh hosts (no agent, no
 * `~/.lit`, no app key: the flow on gpu-box under Bun, the CPU work on
 * cpu-box under Node), beside OpenSSH doing the copying and starting in the
 * same round over the same links: `scp` of the same files to each host (the
 * agent bundle, the work program, the app's folder, and to gpu-box the flow
 * program) and an `ssh` that starts the agent detached, then one that starts
 * the flow, both hosts at once as deploy does. And a redeploy with nothing
 * changed (target ≤ 1 s), beside `ssh host true` to both hosts at once.
 * The figures are the `lit deploy` command's wall time, its process start and
 * the builds of its bundles included (the note gives the time it prints).
 *
 * Registered in suites.ts (`npm run bench -- remote-deploy`); needs root
 * (the test hosts). Also runs alone: node --import tsx bench/deploy.bench.ts
 */
import { copyFile, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { TestHost } from "@lit-app/test-hosts";
import { FULL, median, printTable, type BenchOptions, type BenchRow } from "./harness.ts";
import { sh, startRemoteSession, type RemoteSession } from "./fixtures/remote/session.ts";
import { litOnLaptop } from "../packages/lit-app/src/test-support/remote-run.ts";

const APP_DIR = fileURLToPath(new URL("../packages/lit-app/test/fixtures/deploy/workflow", import.meta.url));
const APP = join(APP_DIR, "app.ts");
const NAME = "bench-deploy";
const GPU = { uuid: "GPU-4b7a0c2e-0001-4d6f-9a51-a100000000a1", name: "A100", memoryMiB: 81920 };
const RUNS = { full: { fresh: 3, again: 5 }, tiny: { fresh: 1, again: 1 } } as const;

/** Runs `lit <args>` on the laptop to its end; its wall time and the seconds `lit deploy` printed. */
async function lit(s: RemoteSession, args: string[]): Promise<{ ms: number; printed: number; out: string[] }> {
  const run = litOnLaptop(s.th, "node", args);
  const exit = await run.exited;
  if (exit.code !== 0) throw new Error(`lit ${args.join(" ")} failed:\n${run.text()}`);
  const printed = Number(/^deployed \S+ in ([\d.]+) s/.exec(run.out()[0] ?? "")?.[1] ?? Number.NaN) * 1000;
  // `exited.at` waits 50 ms after the exit for the last lines: not the command's time.
  return { ms: exit.at - 50, printed, out: run.out() };
}

/** Nothing of lit-app on the host: every process of its user ended, `~/.lit` (but the host's GPUs, host.json) and the app keys gone. */
async function wipe(host: TestHost): Promise<void> {
  await host.killAll();
  await host.output("find .lit -mindepth 1 -maxdepth 1 ! -name host.json -exec rm -rf {} + ; rm -rf .lit-openssh lit-openssh workflow-runs.txt && if [ -f .ssh/authorized_keys ]; then sed -i '/ lit-app:/d' .ssh/authorized_keys; fi");
}

/** What OpenSSH copies to a host in the baseline: the files `lit deploy` put there, taken from gpu-box after a deploy. */
interface Files {
  agent: string;
  work: string;
  flow: string;
}

/** Copies the agent bundle, the flow program and the work program the deploy put on gpu-box into `dir`. */
async function filesOf(gpu: TestHost, dir: string): Promise<Files> {
  const app = JSON.parse(await gpu.output(`cat .lit/deployed/${NAME}/app.json`)) as { bundle: string };
  const bundles = (await readdir(join(gpu.home, ".lit/bundles"))).filter((f) => f.endsWith(".mjs"));
  const agentFile = bundles.find((f) => f !== `${app.bundle}.mjs`);
  const programs = await readdir(join(gpu.home, ".lit/agent/programs"));
  if (!agentFile || programs.length !== 1) throw new Error(`gpu-box should have the agent bundle, the flow program and one work program after a deploy: ${JSON.stringify({ bundles, programs })}`);
  await mkdir(dir, { recursive: true });
  const files = { agent: join(dir, "agent.mjs"), work: join(dir, "work.mjs"), flow: join(dir, "flow.mjs") };
  await copyFile(join(gpu.home, ".lit/bundles", agentFile), files.agent);
  await copyFile(join(gpu.home, ".lit/agent/programs", programs[0]!), files.work);
  await copyFile(join(gpu.home, ".lit/bundles", `${app.bundle}.mjs`), files.flow);
  return files;
}

/** The OpenSSH commands that copy to `host` and start its agent (and, on the flow's host, the flow) detached. */
function openSsh(host: TestHost, files: Files, flow: boolean): string {
  const rt = host.runtime === "bun" ? "bun" : "node";
  const copy = `scp -q -r ${sh(files.agent)} ${sh(files.work)} ${flow ? sh(files.flow) : ""} ${sh(APP_DIR)} ${host.name}:lit-openssh/`;
  const agent = `ssh ${host.name} ${sh(`cd lit-openssh && ${rt} agent.mjs --home ~/.lit-openssh --detach`)} > /dev/null`;
  // The flow started detached as the agent would start it (it ends at once here: it has no app spec).
  const start = `ssh ${host.name} ${sh(`cd lit-openssh && (setsid ${rt} flow.mjs < /dev/null > flow.log 2>&1 &)`)}`;
  return `ssh ${host.name} 'mkdir -p lit-openssh' && ${copy} && ${agent}${flow ? ` && ${start}` : ""}`;
}

/** Runs the deploy benchmark; the test hosts are removed even on failure. */
export async function benchDeploy(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const runs = options.tiny ? RUNS.tiny : RUNS.full;
  const s = await startRemoteSession([{ name: "gpu-box", runtime: "bun", gpus: [GPU] }, { name: "cpu-box", runtime: "node" }], "deploy");
  try {
    const gpu = s.th.host("gpu-box");
    const cpu = s.th.host("cpu-box");
    const deploy = ["deploy", APP, "--host", "gpu-box", "--host", "cpu=cpu-box", "--name", NAME];
    // A first deploy, not counted: the laptop's caches warm, and the files OpenSSH copies.
    await lit(s, deploy);
    const files = await filesOf(gpu, join(s.work, "files"));
    const fresh: number[] = [];
    const freshPrinted: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < runs.fresh; i++) {
      await Promise.all([wipe(gpu), wipe(cpu)]);
      baseline.push(await s.timeOnLaptop(`(${openSsh(gpu, files, true)}) & a=$!; (${openSsh(cpu, files, false)}) & b=$!; wait $a && wait $b`));
      await Promise.all([wipe(gpu), wipe(cpu)]);
      const run = await lit(s, deploy);
      fresh.push(run.ms);
      freshPrinted.push(run.printed);
    }
    const again: number[] = [];
    const againPrinted: number[] = [];
    const sshTrue: number[] = [];
    for (let i = 0; i < runs.again; i++) {
      sshTrue.push(await s.timeOnLaptop("ssh gpu-box true & a=$!; ssh cpu-box true & b=$!; wait $a && wait $b"));
      const run = await lit(s, deploy);
      again.push(run.ms);
      againPrinted.push(run.printed);
    }
    await lit(s, ["stop", "--name", NAME, "--purge"]);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
    return [
      {
        name: "lit deploy to two fresh hosts (flow on gpu-box, Bun; work on cpu-box, Node): the command's wall time",
        value: median(fresh),
        unit: "ms",
        baselineName: "scp of agent, work and flow programs and app folder + ssh starts of agent and flow (OpenSSH, both hosts at once)",
        baseline: median(baseline),
        note: `median of ${runs.fresh} (${list(fresh)} ms; deploy printed ${list(freshPrinted)} ms)`,
      },
      {
        name: "lit deploy again, nothing changed (target ≤ 1 s)",
        value: median(again),
        unit: "ms",
        baselineName: "ssh host true (OpenSSH, both hosts at once)",
        baseline: median(sshTrue),
        note: `median of ${runs.again} (${list(again)} ms; deploy printed ${list(againPrinted)} ms)`,
      },
    ];
  } finally {
    await s.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("lit deploy across the test hosts", await benchDeploy());
}
