/**
 * Run by old-space.test.ts in a process of its own (it changes a V8 flag of
 * the whole process): starts a thread with the raised starting limit
 * (startThreadWithOldSpace), then one once that thread is online, and prints each thread's
 * number of full collections while it keeps about 20 MiB of objects alive
 * and replaces them many times, as JSON: `{ "raised": n, "after": n }`.
 */
import process from "node:process";
import { Worker } from "node:worker_threads";
import { startThreadWithOldSpace } from "../old-space.ts";

const CHURN = `
const { parentPort } = require("node:worker_threads");
const { PerformanceObserver, constants } = require("node:perf_hooks");
let full = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full++;
});
observer.observe({ entryTypes: ["gc"] });
(async () => {
  const kept = [];
  for (let i = 0; i < 3000; i++) {
    kept.push(Array.from({ length: 2000 }, (_, j) => ({ j })));
    if (kept.length > 100) kept.shift();
    if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  observer.disconnect();
  parentPort.postMessage(full);
})();
`;

function churn(start: (create: () => Worker) => Worker = (create) => create()): { online: Promise<void>; full: Promise<number> } {
  const worker = start(() => new Worker(CHURN, { eval: true }));
  return {
    online: new Promise((resolve) => worker.once("online", () => resolve())),
    full: new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    }),
  };
}

const raised = churn((create) => startThreadWithOldSpace(create, Number(process.argv[2] ?? 128)));
// Once it is online, V8's default is back for the next thread.
await raised.online;
const after = churn();
process.stdout.write(`${JSON.stringify({ raised: await raised.full, after: await after.full })}\n`);
