/**
 * Agent bootstrap across the test hosts (a host in its own network
 * namespace with its own sshd and user; the controller on the laptop):
 * `connectHost` + `ensureAgent` with the real agent bundle on a fresh host
 * (empty ~/.lit, node on its PATH), beside OpenSSH doing the same job with
 * the laptop's config (`scp` of the same bundle, then an `ssh` that starts
 * it detached); and a re-run with nothing changed (a new connection, as a
 * second `lit run` makes; target ≤ 1 s) beside `ssh host true`.
 *
 * Registered in suites.ts (`npm run bench -- remote-bootstrap`); needs root
 * (the test hosts). Also runs alone: node --import tsx bench/remote-bootstrap.bench.ts
 */
import { pathToFileURL } from "node:url";
import { FULL, median, printTable, type BenchOptions, type BenchRow } from "./harness.ts";
import { sh, startRemoteSession } from "./fixtures/remote/session.ts";

const HOST = "gpu-box";
const RUNS = { full: { fresh: 3, again: 5 }, tiny: { fresh: 1, again: 1 } } as const;

/** Runs the bootstrap benchmark; the test hosts are removed even on failure. */
export async function benchRemoteBootstrap(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const runs = options.tiny ? RUNS.tiny : RUNS.full;
  const s = await startRemoteSession([{ name: HOST, runtime: "node" }], "remote-bootstrap");
  try {
    const host = s.th.host(HOST);
    const bundle = await s.agentBundle();
    const c = s.controller();
    await c.request("connect", { alias: HOST }); // the controller's own start (node, tsx, modules) is not counted
    await c.request("disconnect", { alias: HOST });
    const fresh: number[] = [];
    const baseline: number[] = [];
    const stopAgents = async () => {
      await host.killAll({ match: /\.mjs .*--home/ });
      await host.output("rm -rf .lit .lit-openssh agent-*.mjs");
    };
    for (let i = 0; i < runs.fresh; i++) {
      await stopAgents();
      // OpenSSH: the bundle copied, then the agent started detached in another home.
      const base = `${host.home}/.lit-openssh`;
      baseline.push(
        await s.timeOnLaptop(
          `scp -q ${sh(bundle.file)} ${HOST}:agent-${bundle.hash}.mjs && ssh ${HOST} ${sh(`node agent-${bundle.hash}.mjs --home ${base} --detach`)} > /dev/null`,
        ),
      );
      const connect = await c.request("connect", { alias: HOST });
      const ensure = await c.request("ensureAgent", { alias: HOST, bundleFile: bundle.file, hash: bundle.hash, version: bundle.version });
      if (!ensure.started || ensure.uploaded.length !== 1) throw new Error(`a fresh ensureAgent on ${HOST} should start the agent and upload its bundle: ${JSON.stringify(ensure)}`);
      fresh.push(connect.ms + ensure.ms);
      await c.request("disconnect", { alias: HOST });
    }
    const again: number[] = [];
    const againEnsure: number[] = [];
    const sshTrue: number[] = [];
    for (let i = 0; i < runs.again; i++) {
      sshTrue.push(await s.timeOnLaptop(`ssh ${HOST} true`));
      const connect = await c.request("connect", { alias: HOST });
      const ensure = await c.request("ensureAgent", { alias: HOST, bundleFile: bundle.file, hash: bundle.hash, version: bundle.version });
      if (ensure.started || ensure.uploaded.length !== 0 || ensure.stats.execs !== 1) throw new Error(`an unchanged ensureAgent on ${HOST} should run one command and send nothing: ${JSON.stringify(ensure)}`);
      again.push(connect.ms + ensure.ms);
      againEnsure.push(ensure.ms);
      await c.request("disconnect", { alias: HOST });
    }
    const kib = `${(bundle.bytes / 1024).toFixed(0)} KiB bundle`;
    return [
      {
        name: `fresh host (node): connectHost + ensureAgent (upload, start detached, token read)`,
        value: median(fresh),
        unit: "ms",
        baselineName: "scp bundle + ssh 'node agent --detach' (OpenSSH)",
        baseline: median(baseline),
        note: `${kib}; median of ${runs.fresh}`,
      },
      {
        name: "re-run, nothing changed: connectHost + ensureAgent (target ≤ 1 s)",
        value: median(again),
        unit: "ms",
        baselineName: "ssh host true (OpenSSH)",
        baseline: median(sshTrue),
        note: `ensureAgent alone ${median(againEnsure).toFixed(1)} ms (one command); median of ${runs.again}`,
      },
    ];
  } finally {
    await s.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("remote: agent bootstrap across the test hosts", await benchRemoteBootstrap());
}
