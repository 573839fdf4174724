/** One GPU of a host, as the agent reports and assigns it. */
export interface Gpu {
  /** nvidia-smi's index (absent for GPUs declared in host.json). */
  index?: number;
  /** The GPU's UUID (`GPU-…`): what assignments lock and `CUDA_VISIBLE_DEVICES` names. */
  uuid: string;
  /** The product name, e.g. `NVIDIA A100-SXM4-80GB`. */
  name: string;
  /** Total memory in MiB (0 when the driver does not tell, as on unified-memory parts). */
  memoryMiB: number;
}
