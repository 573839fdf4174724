/**
 * `lit run app.ts --host …` end to end, as a user runs it: the `lit` command
 * on the test hosts' laptop (its own network namespace and ~/.ssh), the works
 * on separate machines reached over real SSH (each with its own sshd, Unix
 * user and home), on Node and on Bun.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useTestHosts } from "@lit-app/test-hosts/vitest";
import { litOnLaptop, type CliRuntime } from "../test-support/remote-run.ts";

const GPU_A = { uuid: "GPU-4b7a0c2e-0001-4d6f-9a51-a100000000a1", name: "A100", memoryMiB: 81920 };
const th = useTestHosts({
  hosts: [
    { name: "gpu-box", runtime: "bun", gpus: [GPU_A] },
    { name: "cpu-box", runtime: "node" },
  ],
});

const app = (name: string) => fileURLToPath(new URL(`../../test/fixtures/remote/${name}/app.ts`, import.meta.url));

describe.each<CliRuntime>(["node", "bun"])("lit run --host on %s", (runtime) => {
  it("runs the seed's workflow: the CPU work on cpu-box, the GPU work on gpu-box with its GPU, the flow here", async () => {
    const run = litOnLaptop(th(), runtime, ["run", app("two-hosts"), "--host", "cpu=cpu-box", "--host", "gpu=gpu-box"]);
    const exit = await Promise.race([run.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`lit run did not end within 90 s:\n${run.text()}`)), 90_000))]);
    expect(exit.code, run.text()).toBe(0);
    const cpuUser = th().host("cpu-box").user;
    const gpuUser = th().host("gpu-box").user;
    expect(run.out()).toEqual([
      `root.work_A | running code A on a CPU machine (user ${cpuUser}, CUDA_VISIBLE_DEVICES=none)`,
      `root.work_B | running code B on a GPU machine after [running code A on a CPU machine: done] (user ${gpuUser}, CUDA_VISIBLE_DEVICES=${GPU_A.uuid})`,
      `flow: both works ran; B says [running code B on a GPU machine after [running code A on a CPU machine: done]: done]`,
    ]);
    console.log(`${runtime}: the two-host workflow ran in ${exit.at.toFixed(0)} ms (SSH, agents, folder, work program, both works)`);
  }, 180_000);
});
