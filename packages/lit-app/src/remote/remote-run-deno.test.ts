/**
 * `lit run app.ts --host …` with the flow on Deno (`deno run -A` of the CLI,
 * as `lit run --runtime deno` does), end to end on the test hosts: the
 * channel is the standard WebSocket, whose web API sends no headers, so it
 * carries the agent's token as a subprotocol; the SSH side is ssh2 under
 * Deno's Node compatibility.
 */
import { describe, expect, it } from "vitest";
import { useTestHosts } from "@lit-app/test-hosts/vitest";
import { ended, litOnLaptop, remoteApp, ticks, upTo } from "../test-support/remote-run.ts";

const GPU = { uuid: "GPU-4b7a0c2e-0003-4d6f-9a51-a100000000a3", name: "A100", memoryMiB: 81920 };
const th = useTestHosts({
  hosts: [
    { name: "gpu-box", runtime: "bun", gpus: [GPU] },
    { name: "cpu-box", runtime: "node" },
  ],
});

const app = remoteApp;

describe("lit run --host with the flow on deno", () => {
  it("runs the seed's workflow: the CPU work on cpu-box (node), the GPU work on gpu-box (bun) with its GPU", async () => {
    const run = litOnLaptop(th(), "deno", ["run", app("two-hosts"), "--host", "cpu=cpu-box", "--host", "gpu=gpu-box"]);
    const exit = await ended(run, 120_000);
    expect(exit.code, run.text()).toBe(0);
    expect(run.out()).toEqual([
      `root.work_A | running code A on a CPU machine (user ${th().host("cpu-box").user}, CUDA_VISIBLE_DEVICES=none)`,
      `root.work_B | running code B on a GPU machine after [running code A on a CPU machine: done] (user ${th().host("gpu-box").user}, CUDA_VISIBLE_DEVICES=${GPU.uuid})`,
      `flow: both works ran; B says [running code B on a GPU machine after [running code A on a CPU machine: done]: done]`,
    ]);
    console.log(`deno: the two-host workflow ran in ${exit.at.toFixed(0)} ms`);
  }, 240_000);

  it("lit run --runtime deno: loses no log line and doubles none when the link is cut mid-run and comes back", async () => {
    const host = th().host("cpu-box");
    const run = litOnLaptop(th(), "node", ["run", "--runtime", "deno", app("ticker"), "--host", "cpu=cpu-box"], { LIT_TICKS: "60", LIT_TICK_MS: "100" });
    try {
      await run.waitFor(/tick 10$/, 90_000);
      await host.cut();
      // Past the channel's ping bound (10 s): the controller gives the socket up and reconnects.
      await new Promise((resolve) => setTimeout(resolve, 12_000));
    } finally {
      await host.restore();
    }
    const exit = await ended(run, 120_000);
    expect(exit.code, run.text()).toBe(0);
    expect(ticks(run)).toEqual(upTo(60));
    expect(run.out().at(-1)).toBe("flow: the ticker is done");
  }, 240_000);

  it("fails the work with reason host lost when the link stays down past --host-lost-after, and lit ends", async () => {
    const host = th().host("cpu-box");
    const run = litOnLaptop(th(), "deno", ["run", app("ticker"), "--host", "cpu=cpu-box", "--host-lost-after", "3"], { LIT_TICKS: "600", LIT_TICK_MS: "100" });
    try {
      await run.waitFor(/tick 5$/, 90_000);
      await host.cut();
      const exit = await ended(run, 45_000);
      expect(exit.code, run.text()).toBe(1);
      expect(run.text()).toMatch(/the app failed: root\.ticker failed: host lost: cpu-box stayed unreachable for 3 s/);
    } finally {
      await host.restore();
    }
  }, 120_000);
});
