/** The GPUs of this host: declared in host.json, else found by nvidia-smi, else none. */
import type { Gpu } from "./gpu.ts";
import { readHostConfig } from "./host-config.ts";
import { queryNvidiaSmi } from "./nvidia-smi.ts";

/** Where a host's GPU list came from, and why it is empty when nvidia-smi failed. */
export interface GpuInventory {
  gpus: Gpu[];
  /** `host.json` (declared), `nvidia-smi` (found), `none` (no nvidia-smi on PATH, or it failed). */
  source: "host.json" | "nvidia-smi" | "none";
  /** nvidia-smi's failure, when it failed: the host then has no GPUs and this says why. */
  error?: string;
}

/** Options of {@link readGpuInventory}. */
export interface GpuInventoryOptions {
  /** The host.json path (`<home>/host.json`). */
  hostConfig: string;
  /** The nvidia-smi command (default: `nvidia-smi` from PATH). */
  nvidiaSmi?: string;
}

/**
 * Reads the host's GPUs. host.json's `gpus` win; else nvidia-smi's list; no
 * nvidia-smi is no GPU. A failing nvidia-smi is no GPU too, with `error` saying
 * why (a work asking for a GPU then fails with that reason instead of waiting).
 * @throws HostConfigError when host.json exists but is not valid.
 */
export async function readGpuInventory(options: GpuInventoryOptions): Promise<GpuInventory> {
  const config = await readHostConfig(options.hostConfig);
  if (config?.gpus !== undefined) return { gpus: config.gpus, source: "host.json" };
  try {
    const gpus = await queryNvidiaSmi(options.nvidiaSmi);
    return gpus === null ? { gpus: [], source: "none" } : { gpus, source: "nvidia-smi" };
  } catch (error) {
    return { gpus: [], source: "none", error: (error as Error).message };
  }
}
