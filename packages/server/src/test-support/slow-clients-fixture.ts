/// <reference types="bun-types" />
// Serves an app whose state changes fast, on the runtime running this file (node, bun or deno), for
// tests with clients that stop reading. Prints `{"url"}` once listening, then obeys lines on stdin:
//   churn <ms> <bytes>   replaces a field with a new string of <bytes> characters as fast as it can for
//                        <ms>, then prints {"deltas", "rss"} (memory in MiB, the largest seen while churning)
//   mem                  collects garbage and prints {"rss", "heap"} in MiB
//   exit                 stops the app and the server
// argv[2], when given, is the server's maxClientBuffer in bytes.
import * as L from "@lit-app/core";
import { AppEngine } from "@lit-app/core/internal";
import { runtimeKind } from "@lit-app/runtime";
import { InProcessExecutor } from "@lit-app/core/testing";
import { startAppServer } from "../index.ts";
import { realClock } from "./real-clock.ts";

class Churn extends L.LightningFlow {
  blob = "";
  run() {}
}

const MiB = 1024 * 1024;
const gc = (): void => {
  if (runtimeKind() === "bun") Bun.gc(true);
  else globalThis.gc?.();
};

const engine = new AppEngine(new L.LightningApp(new Churn()), { executor: new InProcessExecutor(), clock: realClock });
void engine.start();
const limit = process.argv[2] ? Number(process.argv[2]) : undefined;
const server = await startAppServer(engine, { port: 0, register: false, ...(limit ? { maxClientBuffer: limit } : {}) });
const print = (o: object) => process.stdout.write(JSON.stringify(o) + "\n");
print({ url: server.url });

async function churn(ms: number, bytes: number): Promise<void> {
  const end = Date.now() + ms;
  let deltas = 0;
  let rss = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 10; i++) {
      engine.applyDelta([{ op: "replace", path: "/components/root/vars/blob", value: String(deltas++).padEnd(bytes, "x") }]);
    }
    rss = Math.max(rss, process.memoryUsage().rss);
    // let the server write to its sockets
    await new Promise((r) => setTimeout(r, 1));
  }
  print({ deltas, rss: rss / MiB });
}

let buffered = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", async (chunk: string) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf("\n")) !== -1) {
    const [cmd, ...args] = buffered.slice(0, nl).trim().split(" ");
    buffered = buffered.slice(nl + 1);
    if (cmd === "churn") await churn(Number(args[0]), Number(args[1]));
    else if (cmd === "mem") {
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 50));
      }
      const m = process.memoryUsage();
      print({ rss: m.rss / MiB, heap: m.heapUsed / MiB });
    } else if (cmd === "exit") {
      await engine.stop();
      await server.close();
      process.exit(0);
    }
  }
});
