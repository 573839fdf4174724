/**
 * A remote call across the test hosts: a non-parallel call of a work whose
 * process runs under the agent on another machine, over an open tunnel (the
 * controller's ssh2 connection, a forward carrying the work channel's
 * WebSocket): `executor.call` → the work's process → `succeeded` seen by the
 * flow, median, one call at a time. Beside it, a bare round trip through the
 * same SSH connection: 200 bytes through an ssh2 forward to an echo server
 * on the host. Target ≤ 5× the bare trip. Once with the agent (and the
 * work) on node, once on bun, each host with its own controller.
 *
 * Registered in suites.ts (`npm run bench -- remote-call`); needs root (the
 * test hosts). Also runs alone: node --import tsx bench/remote-call.bench.ts
 */
import { pathToFileURL } from "node:url";
import { FULL, printTable, type BenchOptions, type BenchRow } from "./harness.ts";
import { cpuPerCall, sampleCpu } from "./fixtures/remote/host-cpu.ts";
import { medianOfSorted, sh, startRemoteSession } from "./fixtures/remote/session.ts";

/** One host per runtime the agent (and its works) may run on. */
const HOSTS = [
  { name: "node-box", runtime: "node" },
  { name: "bun-box", runtime: "bun" },
] as const;
/**
 * `warm`: calls made (not timed, their CPU not counted) before those timed. The agent's and the
 * work's runtime compile their hot paths over the first few hundred calls (on Node a call's host
 * CPU falls by about half after the first thousand); the figure is the steady state a flow sees.
 */
const RUNS = { full: { echoes: 2000, calls: 1000, warm: 500 }, tiny: { echoes: 20, calls: 10, warm: 2 } } as const;

/** An echo server on the host's 127.0.0.1 (reached only through a forward); prints its port. */
const ECHO_SERVER = `const net = require("node:net");
const server = net.createServer((s) => { s.setNoDelay(true); s.pipe(s); });
server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;

const p = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** Runs the remote call benchmark; the test hosts are removed even on failure. */
export async function benchRemoteCall(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const runs = options.tiny ? RUNS.tiny : RUNS.full;
  const s = await startRemoteSession([...HOSTS], "remote-call");
  try {
    const [bundle, program] = [await s.agentBundle(), await s.workProgram()];
    const rows: BenchRow[] = [];
    for (const { name, runtime } of HOSTS) {
      const host = s.th.host(name);
      // The echo server runs on the host's runtime too (bun runs this CommonJS script as node does).
      const echoServer = await s.startOnHost(host, `exec ${runtime} -e ${sh(ECHO_SERVER)}`);
      const echoPort = Number(echoServer.firstLine);
      const c = s.controller(); // one controller (one flow, one connection) per host
      await c.request("ensureAgent", { alias: name, bundleFile: bundle.file, hash: bundle.hash, version: bundle.version });
      await c.request("callSetup", { alias: name, programFile: program.file, programHash: program.hash });
      const echo = (await c.request("echo", { alias: name, port: echoPort, bytes: 200, count: runs.echoes })).us as number[];
      await c.request("calls", { count: runs.warm, warm: 0 });
      const cpuBefore = sampleCpu(host.uid);
      const calls = (await c.request("calls", { count: runs.calls, warm: 0 })).us as number[];
      const hostCpu = cpuPerCall(cpuBefore, sampleCpu(host.uid), calls.length);
      const echoAgain = (await c.request("echo", { alias: name, port: echoPort, bytes: 200, count: runs.echoes })).us as number[];
      const bare = [...echo, ...echoAgain].sort((a, b) => a - b);
      rows.push({
        name: `non-parallel remote call, agent and work on ${runtime}: executor.call → work process on the host → succeeded seen (target ≤ 5×)`,
        value: medianOfSorted(calls),
        unit: "µs",
        baselineName: "200-byte echo through an ssh2 forward (same connection)",
        baseline: medianOfSorted(bare),
        note: `median of ${calls.length} calls after ${runs.warm} not timed (p90 ${p(calls, 0.9).toFixed(0)} µs) and ${bare.length} echoes before and after (p90 ${p(bare, 0.9).toFixed(0)} µs); ${hostCpu}`,
      });
      await c.close();
    }
    return rows;
  } finally {
    await s.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("remote: a work call across the test hosts", await benchRemoteCall());
}
