/**
 * A large Path between two hosts across the test hosts: the storage routes
 * of host A and of host B (each in a process of the host's user, on the
 * host's 127.0.0.1), and the controller on the laptop moving a 1 GiB file
 * (tiny: 1 MiB) from A's root to B's with the transfer engine, through its
 * two SSH connections (`httpRoot` whose requests go in ssh2 channels to each
 * host's port, `nodeFetchOver`, as lit run --host does on Node), the bytes
 * streamed through its memory only. Beside it, OpenSSH doing the
 * same over the same links: `ssh a cat f | ssh b 'cat > f'` (target ≥ 0.8×
 * its throughput, that is ≤ 1.25× its time). Then an unchanged re-sync
 * (target ≤ 50 ms) beside one command round trip over the same ssh2
 * connection (`exec true`), the least any check across the link costs.
 * Last, the host-to-host rounds again with the controller on Bun.
 *
 * Registered in suites.ts (`npm run bench -- remote-path`); needs root (the
 * test hosts). Also runs alone: node --import tsx bench/remote-path.bench.ts
 */
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { FULL, median, printTable, type BenchOptions, type BenchRow } from "./harness.ts";
import { sh, startRemoteSession, type Controller, type RemoteSession } from "./fixtures/remote/session.ts";
import type { TestHost } from "@lit-app/test-hosts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const A = "gpu-box";
const B = "cpu-box";
const RUNS = { full: { bytes: GiB, rounds: 5, again: 5 }, tiny: { bytes: MiB, rounds: 1, again: 1 } } as const;
const benchDir = dirname(fileURLToPath(import.meta.url));
const STORAGE_SERVER = join(benchDir, "fixtures", "storage-server.ts");

/**
 * The storage routes over `<home>/<dir>` on `host` (its user, its 127.0.0.1), and a local port
 * here (on the laptop) that reaches them through the controller's ssh2 connection.
 */
export async function storageOnHost(
  s: RemoteSession,
  host: TestHost,
  request: (op: string, f: Record<string, unknown>) => Promise<Record<string, any>>,
  dir = "store",
): Promise<{ url: string; token: string; alias: string; port: number }> {
  const { firstLine } = await s.startOnHost(host, `cd ${sh(benchDir)} && exec node --import tsx ${sh(STORAGE_SERVER)} "$HOME"/${sh(dir)}`);
  const served = JSON.parse(firstLine) as { url: string; token: string };
  const remote = new URL(served.url);
  const port = Number(remote.port);
  const local = await request("storageForward", { alias: host.name, port });
  remote.port = String(local.port);
  return { url: remote.href, token: served.token, alias: host.name, port };
}

const mibps = (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`;

/** The rounds of one controller: each an OpenSSH pipe, then the engine's sync into a new, empty root on B. */
interface HostToHost {
  engine: number[];
  openssh: number[];
  /** Per round, the controller's full garbage collections and GC ms (Node). */
  collections: string[];
  sent: number;
  /** The root on B of the last round. */
  toB: { url: string; token: string; alias: string; port: number };
}

/** `rounds` of A → B through `c`; the last round's file is compared on both hosts. */
async function hostToHost(s: RemoteSession, c: Controller, fromA: Record<string, unknown>, prefix: string, run: { bytes: number; rounds: number }): Promise<HostToHost> {
  const { bytes, rounds } = run;
  const [a, b] = [s.th.host(A), s.th.host(B)];
  const out: HostToHost = { engine: [], openssh: [], collections: [], sent: 0, toB: { url: "", token: "", alias: B, port: 0 } };
  for (let i = 0; i < rounds; i++) {
    // Each round into a new, empty root on B (its own server), so that every blob is sent; the one before is removed.
    if (i > 0) await b.output(`rm -rf ${sh(`${prefix}-${i - 1}`)}`);
    out.toB = await storageOnHost(s, b, (op, f) => c.request(op, f), `${prefix}-${i}`);
    out.openssh.push(await s.timeOnLaptop(`ssh ${A} 'cat store/run/model.bin' | ssh ${B} 'cat > copy.bin'`));
    const size = Number((await b.output("wc -c < copy.bin")).trim());
    if (size !== bytes) throw new Error(`the OpenSSH copy on ${B} has ${size} bytes, not ${bytes}`);
    await b.output("rm -f copy.bin");
    const r = await c.request("syncPath", { from: fromA, to: out.toB, path: "run" });
    if (r.report.bytesSent !== bytes) throw new Error(`expected ${bytes} bytes sent from ${A} to ${B}, got ${JSON.stringify(r.report)}`);
    if (i === rounds - 1) {
      const [ha, hb] = [await a.output("sha256sum < store/run/model.bin"), await b.output(`sha256sum < ${sh(`${prefix}-${i}`)}/run/model.bin`)];
      if (ha !== hb) throw new Error(`the file on ${B} differs from the one on ${A}`);
    }
    out.engine.push(r.ms);
    out.collections.push(`${r.gc.full}/${r.gc.ms}`);
    out.sent = r.report.bytesSent;
  }
  return out;
}

/** A row's figures for one controller's rounds. */
function pathRow(bytes: number, r: HostToHost): Omit<BenchRow, "name"> & { note: string } {
  const [engine, openssh] = [median(r.engine), median(r.openssh)];
  const rounds = `rounds: ${r.engine.map((ms) => ms.toFixed(0)).join(", ")} ms vs ${r.openssh.map((ms) => ms.toFixed(0)).join(", ")} ms`;
  return {
    value: engine,
    unit: "ms",
    baselineName: "ssh a cat f, piped to ssh b 'cat > f' (OpenSSH, default cipher)",
    baseline: openssh,
    note: `${mibps(bytes, engine)} vs ${mibps(bytes, openssh)}; ${r.sent} bytes sent, verified; median of ${r.engine.length} (${rounds})`,
  };
}

/** Runs the host-to-host benchmark; the test hosts are removed even on failure. */
export async function benchRemotePath(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const run = options.tiny ? RUNS.tiny : RUNS.full;
  const s = await startRemoteSession([{ name: A, runtime: "node" }, { name: B, runtime: "node" }], "remote-path");
  try {
    const a = s.th.host(A);
    const c = s.controller();
    const request = (op: string, f: Record<string, unknown>) => c.request(op, f);
    const fromA = await storageOnHost(s, a, request);
    const mib = run.bytes / MiB;
    await a.output(`mkdir -p store/run && head -c ${run.bytes} /dev/urandom > store/run/model.bin && cat store/run/model.bin > /dev/null`, { timeoutMs: 300_000 });
    const onNode = await hostToHost(s, c, fromA, "store", run);
    const { toB } = onNode;
    // Where the time goes: A's side alone, read through the controller's connection and dropped.
    const drain: number[] = [];
    const drainOpenssh: number[] = [];
    for (let i = 0; i < run.rounds; i++) {
      drainOpenssh.push(await s.timeOnLaptop(`ssh ${A} 'cat store/run/model.bin' > /dev/null`));
      const r = await c.request("drainPath", { from: fromA, path: "run" });
      if (r.bytes !== run.bytes) throw new Error(`read ${r.bytes} bytes of ${A}'s file, not ${run.bytes}`);
      drain.push(r.ms);
    }
    const again: number[] = [];
    const exec: number[] = [];
    let againSent = -1;
    for (let i = 0; i < run.again; i++) {
      const r = await c.request("syncPath", { from: fromA, to: toB, path: "run" });
      again.push(r.ms);
      againSent = r.report.bytesSent;
      exec.push((await c.request("exec", { alias: B, command: "true" })).ms);
    }
    // The same with the controller on Bun (its main thread), each round beside OpenSSH again.
    const onBun = await hostToHost(s, s.controller("bun"), fromA, "store-bun", run);
    const nodeRow = pathRow(run.bytes, onNode);
    const label = run.bytes >= GiB ? `${run.bytes / GiB} GiB` : `${mib} MiB`;
    return [
      {
        name: `${label} Path, host A → host B through the controller's two ssh2 connections (target ≥ 0.8× throughput)`,
        ...nodeRow,
        note: `${nodeRow.note}; the controller's full GCs/GC ms by round: ${onNode.collections.join(", ")}`,
      },
      { name: `${label} Path, host A → host B, the controller on Bun (target ≥ 0.8× throughput)`, ...pathRow(run.bytes, onBun) },
      {
        name: `${label} Path, read only: A's storage routes → the controller (bytes dropped)`,
        value: median(drain),
        unit: "ms",
        baselineName: "ssh a cat f > /dev/null (OpenSSH)",
        baseline: median(drainOpenssh),
        note: `${mibps(run.bytes, median(drain))} vs ${mibps(run.bytes, median(drainOpenssh))}; median of ${run.rounds}`,
      },
      {
        name: `${label} Path, unchanged re-sync A → B (target ≤ 50 ms)`,
        value: median(again),
        unit: "ms",
        baselineName: "exec true over the same ssh2 connection",
        baseline: median(exec),
        note: `${againSent} bytes sent; median of ${run.again}`,
      },
    ];
  } finally {
    await s.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("remote: a Path between two hosts across the test hosts", await benchRemotePath());
}
