/**
 * Every bench suite, in the order `npm run bench` runs them. Each is loaded
 * only when it runs.
 *
 * To add a suite: write `bench/<name>.bench.ts` exporting a function that
 * takes BenchOptions and returns `BenchRow[]` (see harness.ts), make it run
 * in seconds with `{ tiny: true }`, and add it here; bench/suites.test.ts
 * then runs it at that size in `npm test`.
 */
import type { BenchSuite } from "./harness.ts";

export const SUITES: readonly BenchSuite[] = [
  {
    id: "core-delta",
    title: "core: one state change, by state size (must stay within 2× of the 100-field figure)",
    run: async (o) => (await import("./core-delta.bench.ts")).benchCoreDelta(o),
  },
  {
    id: "journal",
    title: "durable state: one state change with the app's journal on disk, beside no journal (target ≤ 1.2×)",
    run: async (o) => (await import("./journal.bench.ts")).benchJournal(o),
  },
  {
    id: "core-calls",
    title: "core: work calls through the test driver (in-process works)",
    run: async (o) => (await import("./core-calls.bench.ts")).benchCoreCalls(o),
  },
  {
    id: "local-workers",
    title: "local mode (worker threads)",
    run: async (o) => (await import("./local-workers.bench.ts")).benchLocalWorkers(o),
  },
  {
    id: "isolation",
    title: "works in their own process beside threads, on Bun, Node and Deno (call; start of 1, 10, 100 works)",
    run: async (o) => (await import("./isolation.bench.ts")).benchIsolation(o),
  },
  {
    id: "cold-start",
    title: "toy app cold start to exit on Bun, per phase",
    run: async (o) => (await import("./cold-start.bench.ts")).benchColdStart(o),
  },
  {
    id: "server",
    title: "app server (state change to a client; deltas from 4 clients)",
    run: async (o) => (await import("./server.bench.ts")).benchServer(o),
  },
  {
    id: "server-limits",
    title: "app server: patches over the limits (lit run, Node)",
    run: async (o) => (await import("./server-limits.bench.ts")).benchServerLimits(o),
  },
  {
    id: "storage",
    title: "storage (transfer engine between two roots on one disk)",
    run: async (o) => (await import("./storage.bench.ts")).benchStorage(o),
  },
  {
    id: "storage-http",
    title: "storage over HTTP on loopback (two agent processes; host to host, upload, a folder)",
    run: async (o) => (await import("./storage-http.bench.ts")).benchStorageHttp(o),
  },
  {
    id: "remote-bootstrap",
    title: "remote: agent bootstrap across the test hosts (fresh host, unchanged re-run)",
    run: async (o) => (await import("./remote-bootstrap.bench.ts")).benchRemoteBootstrap(o),
  },
  {
    id: "remote-call",
    title: "remote: a non-parallel work call across the test hosts, over an open tunnel",
    run: async (o) => (await import("./remote-call.bench.ts")).benchRemoteCall(o),
  },
  {
    id: "remote-path",
    title: "remote: a 1 GiB Path between two hosts through the controller's two SSH connections",
    run: async (o) => (await import("./remote-path.bench.ts")).benchRemotePath(o),
  },
  {
    id: "remote-folder",
    title: "remote: the app folder (10,000 files) synced to a host, beside rsync -a over SSH",
    run: async (o) => (await import("./remote-folder.bench.ts")).benchRemoteFolder(o),
  },
  {
    id: "remote-link-cut",
    title: "remote: a link cut and restored, to the first new log line seen",
    run: async (o) => (await import("./remote-link-cut.bench.ts")).benchRemoteLinkCut(o),
  },
  {
    id: "remote-deploy-recovery",
    title: "lit deploy: the flow process killed, to its work re-attached (first line the new flow shows)",
    run: async (o) => (await import("./remote-deploy-recovery.bench.ts")).benchRemoteDeployRecovery(o),
  },
  {
    id: "remote-deploy",
    title: "lit deploy: two fresh hosts, beside scp of the same files and ssh starts; a redeploy with nothing changed (target ≤ 1 s)",
    run: async (o) => (await import("./deploy.bench.ts")).benchDeploy(o),
  },
];
