/**
 * CloudCompute: the hardware a work asks for. Locally it is recorded and
 * shown; on hosts it selects where a work runs and which GPUs it sees.
 */
import { ComputeError } from "./errors.ts";
import { registerStateType } from "./state-value.ts";

/** The compute names lit-app knows. `default` and `cpu` are the same. */
export const COMPUTE_NAMES = ["default", "cpu", "cpu-small", "cpu-medium", "gpu", "gpu-fast", "gpu-fast-multi"] as const;

/** Compute names a `--host` rule maps (`lit run --host a100=box`), allowed beside {@link COMPUTE_NAMES}. */
const mappedNames = new Set<string>();

/** What a compute name a user maps to a host may look like. */
const MAPPED_NAME = /^[a-z][a-z0-9._-]{0,62}$/;

/**
 * Allows compute names of the user's own (`new L.CloudCompute("a100")`), as the
 * `--host` rules of `lit run` and `lit deploy` name them. Called before the app's
 * module is loaded; a name outside this set and {@link COMPUTE_NAMES} stays an error.
 */
export function allowComputeNames(names: Iterable<string>): void {
  for (const name of names) {
    if (!MAPPED_NAME.test(name)) {
      throw new ComputeError(
        "E_COMPUTE_NAME",
        `compute name ${JSON.stringify(name)}: use lower-case letters, digits, ".", "_" or "-", starting with a letter (at most 63).`,
      );
    }
    mappedNames.add(name);
  }
}

/** The compute names of the user's own allowed so far by {@link allowComputeNames}, for a work's thread or process to allow too. */
export function allowedComputeNames(): string[] {
  return [...mappedNames];
}

/** One of {@link COMPUTE_NAMES}. */
export type ComputeName = (typeof COMPUTE_NAMES)[number];

/** Options of a {@link CloudCompute}. */
export interface CloudComputeOptions {
  /** Disk space in GB for the work's storage root. */
  diskSize?: number;
  /** Seconds a finished work may stay idle before its machine is released. */
  idleTimeout?: number;
  /** Shared memory in MB. */
  shmSize?: number;
  /** How many GPUs the work sees; defaults to 1 for `gpu*` names (4 for `gpu-fast-multi`), else 0 (a name of your own, such as `a100`, says how many with this option). */
  gpus?: number;
  /**
   * The most memory the work may use, in MiB (1 MiB = 2^20 bytes). Applied where the
   * work has its own process (`isolation: "process"`, hosts): over it the work fails
   * with reason `out of memory`. A work in a thread shares the app's memory
   * (Node limits its heap with `lit run --heap-mb`). Default: no limit.
   */
  memoryMiB?: number;
}

const DEFAULT_GPUS: Record<ComputeName, number> = {
  default: 0,
  cpu: 0,
  "cpu-small": 0,
  "cpu-medium": 0,
  gpu: 1,
  "gpu-fast": 1,
  "gpu-fast-multi": 4,
};

const OPTION_NAMES = ["diskSize", "idleTimeout", "shmSize", "gpus", "memoryMiB"] as const;

/**
 * The hardware a work runs on.
 * @example
 * class Train extends L.LightningWork { run() {} }
 * const work = new Train({ cloudCompute: new L.CloudCompute("gpu", { diskSize: 100 }) });
 */
export class CloudCompute {
  readonly name: ComputeName | (string & {});
  readonly diskSize: number;
  readonly idleTimeout: number | null;
  readonly shmSize: number;
  readonly gpus: number;
  readonly memoryMiB: number | null;

  constructor(name: ComputeName | (string & {}) = "default", options: CloudComputeOptions = {}) {
    if (!(COMPUTE_NAMES as readonly string[]).includes(name) && !mappedNames.has(name)) {
      const mapped = mappedNames.size > 0 ? `, and the names your --host rules map: ${[...mappedNames].join(", ")}` : "";
      throw new ComputeError(
        "E_COMPUTE_NAME",
        `CloudCompute: unknown compute name ${JSON.stringify(name)}. Valid names: ${COMPUTE_NAMES.join(", ")}${mapped}. ` +
          `A name of your own works when a --host rule maps it to a machine: lit run app.ts --host ${MAPPED_NAME.test(name) ? name : "a100"}=<ssh host>.`,
      );
    }
    if (options === null || typeof options !== "object") {
      throw new ComputeError("E_COMPUTE_OPTION", `CloudCompute("${name}"): options must be an object.`);
    }
    for (const key of Object.keys(options)) {
      if (!(OPTION_NAMES as readonly string[]).includes(key)) {
        throw new ComputeError(
          "E_COMPUTE_OPTION",
          `CloudCompute("${name}"): unknown option "${key}". Valid options: ${OPTION_NAMES.join(", ")}.`,
        );
      }
    }
    const count = (key: (typeof OPTION_NAMES)[number], fallback: number, integer: boolean): number => {
      const v = options[key];
      if (v === undefined) return fallback;
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
        throw new ComputeError(
          "E_COMPUTE_OPTION",
          `CloudCompute("${name}"): option "${key}" must be a non-negative ${integer ? "integer" : "number"}, got ${JSON.stringify(v)}.`,
        );
      }
      return v;
    };
    this.name = name;
    this.diskSize = count("diskSize", 0, true);
    this.idleTimeout = options.idleTimeout === undefined ? null : count("idleTimeout", 0, false);
    this.shmSize = count("shmSize", 0, true);
    this.gpus = count("gpus", (DEFAULT_GPUS as Record<string, number>)[name] ?? (name.startsWith("gpu") ? 1 : 0), true);
    this.memoryMiB = options.memoryMiB === undefined ? null : count("memoryMiB", 0, true);
    Object.freeze(this);
  }

  /** True for the `gpu*` names. */
  get isGpu(): boolean {
    return this.name.startsWith("gpu");
  }

  /** The compute as plain data. */
  toJSON(): { name: ComputeName | (string & {}); diskSize: number; idleTimeout: number | null; shmSize: number; gpus: number; memoryMiB?: number } {
    return {
      name: this.name,
      diskSize: this.diskSize,
      idleTimeout: this.idleTimeout,
      shmSize: this.shmSize,
      gpus: this.gpus,
      ...(this.memoryMiB === null ? {} : { memoryMiB: this.memoryMiB }),
    };
  }
}

registerStateType<CloudCompute>({
  tag: "CloudCompute",
  type: CloudCompute,
  toJSON: (c) => c.toJSON(),
  fromJSON: (j) =>
    new CloudCompute(j.name as string, {
      diskSize: j.diskSize as number,
      shmSize: j.shmSize as number,
      gpus: j.gpus as number,
      ...(j.idleTimeout === null || j.idleTimeout === undefined ? {} : { idleTimeout: j.idleTimeout as number }),
      ...(typeof j.memoryMiB === "number" ? { memoryMiB: j.memoryMiB } : {}),
    }),
});
