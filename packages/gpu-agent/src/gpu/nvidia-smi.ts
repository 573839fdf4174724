/**
 * Reading the GPU list from nvidia-smi:
 * `nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits`.
 */
import { execFile } from "node:child_process";
import { NvidiaSmiError } from "../errors.ts";
import type { Gpu } from "./gpu.ts";

/** The arguments the agent runs nvidia-smi with. */
export const NVIDIA_SMI_ARGS = ["--query-gpu=index,uuid,name,memory.total", "--format=csv,noheader,nounits"] as const;

const NO_DEVICES = /^No devices were found/m;
const NOT_AVAILABLE = /^\[?(N\/A|Not Supported|Unknown Error)\]?$/i;

/**
 * Parses the output of nvidia-smi run with {@link NVIDIA_SMI_ARGS}: one
 * `index, uuid, name, memory` line per GPU. "No devices were found" is no GPU;
 * a memory the driver does not report (`[N/A]`) is 0.
 * @throws NvidiaSmiError naming the line when the output is not such a list
 *   (an error message, such as a driver/library version mismatch).
 */
export function parseNvidiaSmi(output: string): Gpu[] {
  if (NO_DEVICES.test(output)) return [];
  const gpus: Gpu[] = [];
  const lines = output.split(/\r?\n/).filter((line) => line.trim() !== "");
  for (const line of lines) {
    const fields = line.split(",").map((field) => field.trim());
    const [index, uuid, name, memory] = fields;
    const valid =
      fields.length === 4 &&
      /^\d+$/.test(index!) &&
      /^(GPU|MIG)-[\w-]+$/.test(uuid!) &&
      name !== "" &&
      (/^\d+$/.test(memory!) || NOT_AVAILABLE.test(memory!));
    if (!valid) {
      throw new NvidiaSmiError(
        `[agent] nvidia-smi printed what is not a GPU list: ${JSON.stringify(line.slice(0, 200))}. ` +
          'Check that `nvidia-smi` works on this host (a driver/library mismatch is fixed by a reboot), or declare the GPUs in ~/.lit/host.json as {"gpus":[{"uuid","name","memoryMiB"}]}.',
      );
    }
    gpus.push({ index: Number(index), uuid: uuid!, name: name!, memoryMiB: /^\d+$/.test(memory!) ? Number(memory) : 0 });
  }
  return gpus;
}

/**
 * Runs nvidia-smi (`command`, from PATH by default) and parses its list.
 * @returns null when there is no nvidia-smi: a host without NVIDIA GPUs.
 * @throws NvidiaSmiError when it fails or prints what is not a GPU list.
 */
export function queryNvidiaSmi(command = "nvidia-smi", timeoutMs = 15_000): Promise<Gpu[] | null> {
  return new Promise((resolve, reject) => {
    execFile(command, [...NVIDIA_SMI_ARGS], { timeout: timeoutMs, maxBuffer: 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") return resolve(null);
      if (error && !NO_DEVICES.test(stdout)) {
        const said = `${stdout}\n${stderr}`.trim().split("\n")[0] ?? "";
        return reject(
          new NvidiaSmiError(
            `[agent] nvidia-smi failed${error.killed ? ` (no answer in ${timeoutMs} ms)` : ""}: ${JSON.stringify(said.slice(0, 300))}. ` +
              'Fix the NVIDIA driver on this host (a driver/library version mismatch is fixed by a reboot), or declare the GPUs in ~/.lit/host.json as {"gpus":[{"uuid","name","memoryMiB"}]}.',
            { cause: error },
          ),
        );
      }
      try {
        resolve(parseNvidiaSmi(stdout));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}
