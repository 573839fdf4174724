/**
 * A link cut across the test hosts: a work on the host prints a line every
 * 10 ms; the host's link is cut (`ip link set … down` on its veth) and
 * restored; the figure is the time from the link coming back (`restore()`
 * returned) to the first new log line the controller's flow sees. Beside it,
 * in the same cut, the same for a bare stream through the same SSH
 * connection: a program on the host writing a line every 10 ms to an ssh2
 * forward, the least any line can take to come back (TCP's retransmission
 * over the one SSH connection both ride). The log is checked afterwards:
 * every line once, in order.
 *
 * Registered in suites.ts (`npm run bench -- remote-link-cut`); needs root
 * (the test hosts). Also runs alone: node --import tsx bench/remote-link-cut.bench.ts
 */
import { pathToFileURL } from "node:url";
import { FULL, median, printTable, type BenchOptions, type BenchRow } from "./harness.ts";
import { sh, startRemoteSession, type ControllerEvent } from "./fixtures/remote/session.ts";

const HOST = "gpu-box";
const EVERY_MS = 10;
const RUNS = { full: { cuts: [3000, 3000, 3000, 15_000] }, tiny: { cuts: [1000] } } as const;

/** Writes `tick <n>` every 10 ms to each connection, on the host's 127.0.0.1; prints its port. */
const TICK_SERVER = `const net = require("node:net");
const server = net.createServer((s) => { s.setNoDelay(true); let n = 0; const t = setInterval(() => s.write("tick " + n++ + "\\n"), ${EVERY_MS}); s.on("close", () => clearInterval(t)); s.on("error", () => {}); });
server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;

const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The work's own lines (the framework adds its notices of the link to the work's log). */
const isTick = (e: ControllerEvent) => e.event === "log" && e.line.startsWith("tick ");

/** The first event of `kind` seen after `since` (epoch ms), waiting up to `timeoutMs`. */
async function firstAfter(events: ControllerEvent[], kind: "tick" | "raw", since: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = events.find((x) => (kind === "tick" ? isTick(x) : x.event === "raw") && x.at > since);
    if (e) return e.at - since;
    if (Date.now() > deadline) throw new Error(`no ${kind} line came back within ${timeoutMs} ms of the link's restore`);
    await sleep(5);
  }
}

/** Runs the link cut benchmark; the test hosts are removed even on failure. */
export async function benchRemoteLinkCut(options: BenchOptions = FULL): Promise<BenchRow[]> {
  const run = options.tiny ? RUNS.tiny : RUNS.full;
  const s = await startRemoteSession([{ name: HOST, runtime: "node" }], "remote-link-cut");
  try {
    const host = s.th.host(HOST);
    const bundle = await s.agentBundle();
    const program = await s.workProgram();
    const tickServer = await s.startOnHost(host, `exec node -e ${sh(TICK_SERVER)}`);
    const c = s.controller();
    await c.request("ensureAgent", { alias: HOST, bundleFile: bundle.file, hash: bundle.hash, version: bundle.version });
    await c.request("callSetup", { alias: HOST, programFile: program.file, programHash: program.hash });
    await c.request("rawTicks", { alias: HOST, port: Number(tickServer.firstLine) });
    const totalMs = run.cuts.reduce((a, b) => a + b, 0) + run.cuts.length * 3000 + 10_000;
    await c.request("ticker", { lines: Math.ceil(totalMs / EVERY_MS) * 2, everyMs: EVERY_MS });
    const logs = () => c.events.filter(isTick).length;
    for (let t = Date.now(); logs() < 20; await sleep(10)) {
      if (Date.now() - t > 30_000) throw new Error(`the ticker on ${HOST} printed ${logs()} lines in 30 s`);
    }
    const byCut = new Map<number, { log: number[]; raw: number[] }>();
    for (const cutMs of run.cuts) {
      await sleep(1000);
      await host.cut();
      await sleep(cutMs);
      await host.restore();
      const restoredAt = wallNow();
      const [log, raw] = await Promise.all([firstAfter(c.events, "tick", restoredAt, 60_000), firstAfter(c.events, "raw", restoredAt, 60_000)]);
      const entry = byCut.get(cutMs) ?? { log: [], raw: [] };
      entry.log.push(log);
      entry.raw.push(raw);
      byCut.set(cutMs, entry);
    }
    await sleep(500);
    const ticks = c.events.filter(isTick).map((e) => e.line);
    const notices = c.events.filter((e) => e.event === "log" && !isTick(e)).length;
    const broken = ticks.findIndex((line, i) => line !== `tick ${i}`);
    if (broken >= 0) throw new Error(`the log lines seen are not every line once, in order: line ${broken} is ${JSON.stringify(ticks[broken])}`);
    return [...byCut].map(([cutMs, { log, raw }]) => ({
      name: `link cut ${cutMs / 1000} s, restored → first new log line seen by the flow`,
      value: median(log),
      unit: "ms",
      baselineName: "→ first line of a bare stream through the same SSH connection",
      baseline: median(raw),
      note: `median of ${log.length} cut(s) (${log.map((x) => x.toFixed(0)).join(", ")} ms; bare ${raw.map((x) => x.toFixed(0)).join(", ")} ms); ${ticks.length} lines seen, each once, in order (and ${notices} notices of the link)`,
    }));
  } finally {
    await s.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  printTable("remote: a link cut across the test hosts", await benchRemoteLinkCut());
}
