/** How many GPUs a work's compute takes on a host. */

/** A compute as the agent receives it: a CloudCompute or its JSON. */
export interface ComputeLike {
  name: string;
  gpus?: number;
}

/**
 * The number of GPUs `compute` takes: its `gpus` when set (a CloudCompute always
 * sets it: 1 for `gpu*` names, 4 for `gpu-fast-multi`, 0 otherwise, or what
 * `gpus: n` said), else 1 for `gpu*` names and 0 for others; none without a compute.
 */
export function gpuCount(compute: ComputeLike | null | undefined): number {
  if (compute === null || compute === undefined) return 0;
  if (typeof compute.gpus === "number" && Number.isInteger(compute.gpus) && compute.gpus >= 0) return compute.gpus;
  return compute.name.startsWith("gpu") ? 1 : 0;
}
