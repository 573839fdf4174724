// Live clients that stop reading cannot grow the server's memory, on Node, Bun and Deno: what waits for each is
// bounded, a client past the bound is dropped (without a gap in what it got), and memory comes back once they leave.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import WebSocket from "ws";
import { slowClient, type SlowClient } from "./test-support/slow-client.ts";

const require = createRequire(import.meta.url);
const FIXTURE = fileURLToPath(new URL("./test-support/slow-clients-fixture.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BOUND = 256 * 1024;
const MiB = 1024 * 1024;

const commands: Record<string, [string, string[]]> = {
  node: [process.execPath, ["--expose-gc", "--no-warnings", "--import", "tsx", FIXTURE, String(BOUND)]],
  bun: [join(dirname(require.resolve("bun/package.json")), "bin", "bun.exe"), [FIXTURE, String(BOUND)]],
  deno: [join(dirname(require.resolve("deno/package.json")), "deno"), ["run", "-A", "--v8-flags=--expose-gc", FIXTURE, String(BOUND)]],
};

/** The fixture's process, driven line by line. */
function start(cmd: string, args: string[]): { child: ChildProcess; ask: (line?: string) => Promise<any> } {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const answers: any[] = [];
  const waiting: ((v: any) => void)[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (!line.startsWith("{")) return;
    const value = JSON.parse(line);
    const next = waiting.shift();
    if (next) next(value);
    else answers.push(value);
  });
  const ask = (line?: string) => {
    if (line) child.stdin!.write(line + "\n");
    return answers.length ? Promise.resolve(answers.shift()) : new Promise((r) => waiting.push(r));
  };
  return { child, ask };
}

describe("slow live clients", () => {
  for (const [name, [cmd, args]] of Object.entries(commands)) {
    test(`on ${name}, each is bounded and dropped, and memory comes back when they leave`, { timeout: 60_000 }, async () => {
      const { child, ask } = start(cmd, args);
      const clients: SlowClient[] = [];
      try {
        const { url } = await ask();
        await ask("mem");
        // the app's own cost of changing fast, with nobody listening
        const alone = await ask("churn 1500 65536");
        const settled = await ask("mem");

        for (let i = 0; i < 8; i++) clients.push(slowClient(url, i % 2 ? "sse" : "ws"));
        await Promise.all(clients.map((c) => c.paused));
        const slow = await ask("churn 2500 65536");
        // about 8 clients × 2.5 s × 64 KiB × thousands of changes a second would queue without a bound: gigabytes
        expect(slow.deltas).toBeGreaterThan(2000);
        expect(slow.rss - alone.rss).toBeLessThan(64);

        const results = await Promise.all(clients.map((c) => c.resume(5000)));
        for (const [i, r] of results.entries()) {
          const what = `${i % 2 ? "SSE" : "WebSocket"} client ${i}: ${JSON.stringify({ ...r, seqs: r.seqs.length })}`;
          // what was queued for it (the bound, plus the sockets' own buffers), not what the app sent since
          expect(r.bytes, what).toBeLessThan(16 * MiB);
          expect(r.end, what).not.toBe("still open");
          if (typeof r.end === "object") expect(r.end.closeCode, what).toBe(4008);
          // dropped, never skipped: what it got has no gap
          expect(r.seqs.every((s, k) => k === 0 || s === r.seqs[k - 1]! + 1), what).toBe(true);
        }
        for (const c of clients) c.destroy();

        // a client that reads gets the whole, current state
        const ws = new WebSocket(`${url.replace("http", "ws")}/api/v1/ws`);
        const first = await new Promise<any>((resolve, reject) => {
          ws.once("message", (data) => resolve(JSON.parse(String(data))));
          ws.once("error", reject);
        });
        ws.close();
        expect(first.type).toBe("state");
        expect(first.state.components.root.vars.blob.startsWith(`${slow.deltas - 1}x`)).toBe(true);

        await new Promise((r) => setTimeout(r, 500));
        const after = await ask("mem");
        expect(after.rss - settled.rss).toBeLessThan(32);
        expect(after.heap - settled.heap).toBeLessThan(8);
      } finally {
        for (const c of clients) c.destroy();
        child.stdin!.write("exit\n");
        await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
      }
    });
  }
});
