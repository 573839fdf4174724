/**
 * `lit deploy` of examples/dynamic end to end: works created inside the
 * flow's run() whose class another module of the app exports (NotebookWork,
 * in notebook.ts) are rebuilt in their processes on the hosts, from the
 * flow running on gpu-box (under its agent): bob's GPU notebook is sent to
 * gpu-box's agent on loopback, alice's and carol's (compute cpu-small) to
 * cpu-box's over SSH with the app's key.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestHosts } from "@lit-app/test-hosts/vitest";
import { litToEnd, waitUntil as until, type CliRuntime } from "../test-support/remote-run.ts";

const GPU = { uuid: "GPU-4b7a0c2e-0001-4d6f-9a51-a100000000c1", name: "A100", memoryMiB: 81920 };
const th = useTestHosts({ hosts: [{ name: "gpu-box", runtime: "bun", gpus: [GPU] }, { name: "cpu-box", runtime: "node" }] });

const EXAMPLE = fileURLToPath(new URL("../../../../examples/dynamic/app.ts", import.meta.url));
const HOSTS = ["--host", "gpu-box", "--host", "cpu=cpu-box"];

let runtime: CliRuntime = "node";
const lit = (args: string[], ms?: number) => litToEnd(th(), runtime, args, ms);

/** The flow's log of the app `name` on gpu-box. */
const flowLog = (name: string) => th().host("gpu-box").output(`cat ~/.lit/deployed/${name}/flow.log 2>/dev/null || true`);

describe.each<CliRuntime>(["node", "bun"])("lit deploy of works created inside run(), lit on %s", (cli) => {
  beforeAll(() => void (runtime = cli));

  it("rebuilds the notebooks of examples/dynamic (their class exported by notebook.ts) on both hosts; bob's is stopped on request and the app ends", async () => {
    const name = `dynamic-${cli}`;
    const deployed = await lit(["deploy", EXAMPLE, ...HOSTS, "--name", name]);
    expect(deployed.code, deployed.text).toBe(0);
    try {
      await until("the app to end", async () => /the app (ended|failed)/.test(await flowLog(name)), 90_000);
      const log = await flowLog(name);
      const lines = log.split("\n");
      expect(log).not.toMatch(/E_WORK_CLASS|is exported from no module/);
      for (const user of ["alice", "bob", "carol"]) expect(lines, log).toContain(`root.manager.notebooks.${user} | notebook for ${user} is ready`);
      const shutdown = lines.indexOf("root.manager.notebooks.bob | notebook for bob shutting down");
      expect(shutdown, log).toBeGreaterThan(Math.max(...["alice", "bob", "carol"].map((u) => lines.indexOf(`root.manager.notebooks.${u} | notebook for ${u} is ready`))));
      expect(lines.findIndex((l) => l.endsWith("bob's notebook stopped; still running: alice, carol")), log).toBeGreaterThan(shutdown);
      expect(log).toContain(`${name}: the app ended: bob's notebook was stopped on request`);
      const status = await lit(["status", "--name", name]);
      expect(status.out, status.text).toEqual([`${name}: finished, flow on gpu-box, 0 restarts`, "  ended: stopped: bob's notebook was stopped on request"]);
    } finally {
      await lit(["stop", "--name", name, "--purge"]);
    }
  }, 240_000);
});
