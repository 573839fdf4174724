/**
 * `~/.lit/host.json`: what a user declares about a host. Today, its GPUs:
 * `{"gpus":[{"uuid":"GPU-…","name":"A100","memoryMiB":81920}]}` makes the agent
 * use exactly those instead of asking nvidia-smi (to restrict or declare them,
 * and how tests give a host GPUs).
 */
import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import { HostConfigError } from "../errors.ts";
import type { Gpu } from "./gpu.ts";

const MAX_BYTES = 1024 * 1024;

const gpuSchema = z.strictObject({
  uuid: z.string().min(1).max(128).regex(/^[\w-]+$/, "must hold only letters, digits, '-' and '_'"),
  name: z.string().min(1).max(256),
  memoryMiB: z.number().int().nonnegative(),
});

const hostConfigSchema = z.object({
  gpus: z
    .array(gpuSchema)
    .max(1024)
    .refine((gpus) => new Set(gpus.map((g) => g.uuid)).size === gpus.length, "has the same uuid twice")
    .optional(),
});

/** The parsed `host.json`. */
export interface HostConfig {
  /** The declared GPUs, or undefined when the file names none (nvidia-smi decides). */
  gpus?: Gpu[];
}

/**
 * Reads `file` (host.json).
 * @returns null when the file does not exist.
 * @throws HostConfigError naming the file and the field when it is not valid.
 */
export async function readHostConfig(file: string): Promise<HostConfig | null> {
  let text: string;
  try {
    if ((await stat(file)).size > MAX_BYTES) throw new HostConfigError(file, "", `is larger than ${MAX_BYTES} bytes`);
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HostConfigError(file, "", `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = hostConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
    throw new HostConfigError(file, field, issue.message);
  }
  return parsed.data;
}
