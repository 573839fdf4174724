/**
 * Figures of the harness itself, for the record: how long making and removing
 * hosts takes, and a 200-byte echo round trip from the laptop to a host,
 * through an OpenSSH local forward and, beside it, over bare TCP.
 */
import { startTestHosts, type TestHosts } from "./test-hosts.ts";

/** Milliseconds of `up` and `down` of a two-host harness, one entry per round. */
export async function measureUpDown(rounds: number): Promise<{ up: number[]; down: number[] }> {
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let started = performance.now();
    const th = await startTestHosts({ hosts: ["gpu-box", { name: "cpu-box", runtime: "bun" }] });
    up.push(performance.now() - started);
    started = performance.now();
    await th.close();
    down.push(performance.now() - started);
  }
  return { up, down };
}

/** An echo server for a node host: on 127.0.0.1:7007 (reached through a forward) and on the host's address:7008. */
const echoServer = (address: string) =>
  `const net = require("node:net");
   const echo = (s) => { s.setNoDelay(true); s.pipe(s); };
   net.createServer(echo).listen(7007, "127.0.0.1", () =>
     net.createServer(echo).listen(7008, ${JSON.stringify(address)}, () => console.log("listening")));`;

/** The laptop's client: `count` round trips of `bytes` bytes to host:port; prints the µs of each, sorted, as JSON. */
const echoClient = (host: string, port: number, bytes: number, count: number) =>
  `const net = require("node:net");
   const payload = Buffer.alloc(${bytes}, 120);
   const connect = () => new Promise((resolve, reject) => {
     const s = net.connect(${port}, ${JSON.stringify(host)});
     s.once("connect", () => resolve(s)); s.once("error", reject);
   });
   (async () => {
     let s;
     for (let i = 0; ; i++) { try { s = await connect(); break; } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 50)); } }
     s.setNoDelay(true);
     const times = [];
     let got = 0, started = 0n, done;
     s.on("data", (chunk) => { got += chunk.length; if (got >= ${bytes}) { got -= ${bytes}; done(); } });
     for (let i = 0; i < ${count} + 200; i++) {
       await new Promise((resolve) => { done = resolve; started = process.hrtime.bigint(); s.write(payload); });
       if (i >= 200) times.push(Number(process.hrtime.bigint() - started) / 1000);
     }
     s.destroy();
     console.log(JSON.stringify(times.sort((a, b) => a - b)));
   })();`;

/** Round-trip figures in µs. */
export interface RoundTrip {
  readonly medianUs: number;
  readonly p90Us: number;
  readonly p99Us: number;
}

const summarize = (sorted: number[]): RoundTrip => {
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { medianUs: at(0.5), p90Us: at(0.9), p99Us: at(0.99) };
};

/** Measures the echo from the laptop to `hostName` (a node host) through an OpenSSH forward and over bare TCP. */
export async function measureEcho(th: TestHosts, hostName: string, bytes = 200, count = 2000): Promise<{ forward: RoundTrip; bareTcp: RoundTrip }> {
  const host = th.host(hostName);
  const server = host.spawn(`exec node -e '${echoServer(host.address).replaceAll("'", "'\\''")}'`);
  const forward = th.laptop.spawn("ssh", ["-N", "-o", "ExitOnForwardFailure=yes", "-L", "127.0.0.1:17007:127.0.0.1:7007", hostName]);
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout?.once("data", () => resolve());
      server.once("exit", (code) => reject(new Error(`the echo server on ${hostName} exited with ${code}`)));
    });
    const run = async (target: string, port: number) => {
      const result = await th.laptop.exec("node", ["-e", echoClient(target, port, bytes, count)], { timeoutMs: 120_000 });
      if (result.code !== 0) throw new Error(`the echo client failed: ${result.stderr}`);
      return summarize(JSON.parse(result.stdout) as number[]);
    };
    return { forward: await run("127.0.0.1", 17007), bareTcp: await run(host.address, 7008) };
  } finally {
    forward.kill("SIGKILL");
    server.kill("SIGKILL");
  }
}
