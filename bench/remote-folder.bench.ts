/**
 * The app folder across the test hosts: 10,000 files of 1–19 KiB (about
 * 100 MB; tiny: 50 files) on the controller's side, synced to a host's
 * storage root with `syncFolder` (the storage routes in a process of the
 * host's user, reached through the controller's ssh2 connection), first
 * time and unchanged, beside `rsync -a` to the same host over OpenSSH with
 * the laptop's config (rsync runs on both sides). Targets: ≤ 1.5× rsync on
 * the first sync, ≤ 1× unchanged. rsync connects each time; syncFolder uses
 * the controller's open connection (the note gives `ssh host true` for scale).
 *
 * Registered in suites.ts (`npm run bench -- remote-folder`); needs root
 * (the test hosts) and rsync. Also runs alone: node --import tsx bench/remote-folder.bench.ts
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { FULL, median, printTable, type BenchOptions, type BenchRow } from "./harness.ts";
import { hasRsync, sh, startRemoteSession } from "./fixtures/remote/session.ts";
import { storageOnHost } from "./remote-path.bench.ts";

const MiB = 1024 * 1024;
const HOST = "cpu-box";
const RUNS = { full: { files: 10_000, rounds: 5, again: 5 }, tiny: { files: 50, rounds: 1, again: 1 } } as const;

/** `count` files of 1–19 KiB (about `count` × 10 KiB in all) in up to 100 folders; their total size. */
async function appFolder(dir: string, count: number): Promise<number> {
  let total = 0;
  const pool = randomBytes(20 * 1024 + count);
  for (let i = 0; i < count; i++) {
    const size = 1024 + ((i * 7919) % (18 * 1024 + 1));
    const sub = join(dir, `d${i % 100}`);
    if (i < 100) await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `f${i}.bin`), pool.subarray(i, i + size));
    total += size;
  }
  return total;
}

/** Runs the app folder benchmark; the test hosts and the folder are removed even on failure. */
export async function benchRemoteFolder(options: BenchOptions = FULL): Promise<BenchRow[]> {
  if (!hasRsync()) throw new Error("the remote-folder benchmark needs rsync (its baseline) on this machine and the hosts");
  const run = options.tiny ? RUNS.tiny : RUNS.full;
  const s = await startRemoteSession([{ name: HOST, runtime: "node" }], "remote-folder");
  try {
    const host = s.th.host(HOST);
    const c = s.controller();
    const app = join(s.work, "app");
    const total = await appFolder(app, run.files);
    const rsync = () => s.timeOnLaptop(`rsync -a --exclude=/.lit ${sh(`${app}/`)} ${HOST}:app-rsync/`);
    const first: number[] = [];
    const rsyncFirst: number[] = [];
    let firstReport: Record<string, any> = {};
    let to = { url: "", token: "" };
    for (let i = 0; i < run.rounds; i++) {
      // Each round into a new, empty root (its own server) and an empty rsync folder.
      to = await storageOnHost(s, host, (op, f) => c.request(op, f), `store-${i}`);
      await host.output("rm -rf app-rsync");
      await rm(join(app, ".lit"), { recursive: true, force: true });
      rsyncFirst.push(await rsync());
      const r = await c.request("syncFolder", { dir: app, to, target: "app" });
      first.push(r.ms);
      firstReport = r.report;
    }
    const count = Number((await host.output(`find store-${run.rounds - 1}/app -type f | wc -l`)).trim());
    if (count !== run.files) throw new Error(`${HOST} has ${count} files of the app folder, not ${run.files}`);
    const again: number[] = [];
    const rsyncAgain: number[] = [];
    let againReport: Record<string, any> = {};
    for (let i = 0; i < run.again; i++) {
      rsyncAgain.push(await rsync());
      const r = await c.request("syncFolder", { dir: app, to, target: "app" });
      again.push(r.ms);
      againReport = r.report;
    }
    // rsync's figures include its own SSH connection; syncFolder's use the controller's open one.
    const sshTrue = median([await s.timeOnLaptop(`ssh ${HOST} true`), await s.timeOnLaptop(`ssh ${HOST} true`), await s.timeOnLaptop(`ssh ${HOST} true`)]);
    const connectNote = `rsync includes its SSH connection (ssh host true: ${sshTrue.toFixed(0)} ms); syncFolder goes over the open ssh2 connection`;
    const label = `${run.files.toLocaleString("en")} files, ${(total / MiB).toFixed(0)} MiB, laptop → host`;
    return [
      {
        name: `${label}, first sync (syncFolder; target ≤ 1.5×)`,
        value: median(first),
        unit: "ms",
        baselineName: "rsync -a over OpenSSH",
        baseline: median(rsyncFirst),
        note: `${firstReport.blobsSent ?? "?"} blobs, ${firstReport.bytesSent ?? "?"} bytes sent; median of ${run.rounds} (rounds: ${first.map((ms) => ms.toFixed(0)).join(", ")} ms vs ${rsyncFirst.map((ms) => ms.toFixed(0)).join(", ")} ms); ${connectNote}`,
      },
      {
        name: `${label}, unchanged (target ≤ 1×)`,
        value: median(again),
        unit: "ms",
        baselineName: "rsync -a over OpenSSH (unchanged)",
        baseline: median(rsyncAgain),
        note: `${againReport.bytesSent ?? "?"} bytes sent; median of ${run.again}; ${connectNote}`,
      },
    ];
  } finally {
    await s.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("remote: the app folder across the test hosts", await benchRemoteFolder());
}
