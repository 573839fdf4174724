import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NvidiaSmiError } from "../errors.ts";
import { parseNvidiaSmi, queryNvidiaSmi } from "./nvidia-smi.ts";

const fixtures = fileURLToPath(new URL("../../test/fixtures/nvidia-smi/", import.meta.url));
const fixture = (name: string): string => readFileSync(fixtures + name, "utf8");
const fakeSmi = fixtures + "bin/nvidia-smi";

describe("parseNvidiaSmi", () => {
  it("reads one GPU", () => {
    expect(parseNvidiaSmi(fixture("1-gpu-rtx2080.txt"))).toEqual([
      { index: 0, uuid: "GPU-22b2c6ac-2d49-4863-197c-9c469071178a", name: "GeForce RTX 2080", memoryMiB: 7979 },
    ]);
  });

  it("reads eight GPUs in order, each with its own UUID", () => {
    const gpus = parseNvidiaSmi(fixture("8-gpu-a100.txt"));
    expect(gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(gpus.map((g) => g.uuid)).size).toBe(8);
    expect(gpus[7]).toEqual({ index: 7, uuid: "GPU-5c084fc6-2373-fab1-7e48-aa2ae120117c", name: "NVIDIA A100-SXM4-80GB", memoryMiB: 81920 });
  });

  it("refuses a driver/library mismatch message, quoting it and saying what to do", () => {
    expect(() => parseNvidiaSmi(fixture("driver-mismatch.txt"))).toThrow(NvidiaSmiError);
    expect(() => parseNvidiaSmi(fixture("driver-mismatch.txt"))).toThrow(/Driver\/library version mismatch.*host\.json/);
  });

  it("reads a memory the driver does not report as 0, and 'No devices were found' as no GPU", () => {
    expect(parseNvidiaSmi("0, GPU-5e1f0e4b-1c2d-4e5f-8a9b-0c1d2e3f4a5b, NVIDIA GB10, [N/A]\n")[0]!.memoryMiB).toBe(0);
    expect(parseNvidiaSmi("No devices were found\n")).toEqual([]);
    expect(parseNvidiaSmi("")).toEqual([]);
  });
});

describe("queryNvidiaSmi", () => {
  it("runs nvidia-smi with the agent's query and parses its list", async () => {
    process.env.FAKE_NVIDIA_SMI_OUTPUT = fixtures + "8-gpu-a100.txt";
    process.env.FAKE_NVIDIA_SMI_EXIT = "0";
    expect(await queryNvidiaSmi(fakeSmi)).toHaveLength(8);
  });

  it("is null (no GPUs, no error) when there is no nvidia-smi", async () => {
    expect(await queryNvidiaSmi("/nonexistent/nvidia-smi")).toBeNull();
  });

  it("fails with nvidia-smi's own words when it exits non-zero", async () => {
    process.env.FAKE_NVIDIA_SMI_OUTPUT = fixtures + "driver-mismatch.txt";
    process.env.FAKE_NVIDIA_SMI_EXIT = "18";
    await expect(queryNvidiaSmi(fakeSmi)).rejects.toThrow(/nvidia-smi failed: "Failed to initialize NVML: Driver\/library version mismatch"/);
  });
});
