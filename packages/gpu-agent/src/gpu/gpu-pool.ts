/**
 * GPU assignment on one host: each work holds whole GPUs, locked by UUID and
 * persisted (so an agent that restarts keeps them for the work processes it
 * re-adopts); a work that finds too few free GPUs waits, first come first
 * served, and gets them when another work releases its own.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "@lit-app/runtime";
import { GpuRequestError, GpuStateError } from "../errors.ts";
import type { Gpu } from "./gpu.ts";

/** The GPUs a work holds, and the environment its process gets. */
export interface GpuAssignment {
  work: string;
  gpus: Gpu[];
  /** `CUDA_VISIBLE_DEVICES`: the held GPUs' UUIDs, comma-separated (`""` for none: the work sees no GPU). */
  env: { CUDA_VISIBLE_DEVICES: string };
}

/** A work waiting for GPUs. */
export interface GpuWaiter {
  work: string;
  count: number;
  /** `waiting for a GPU on <host>` (or `waiting for N GPUs on <host>`). */
  reason: string;
}

/** Options of {@link GpuPool.open}. */
export interface GpuPoolOptions {
  /** Where assignments persist (`<home>/agent/gpus.json`). */
  file: string;
  /** The host's GPUs (see readGpuInventory). */
  gpus: readonly Gpu[];
  /** The host's name as users know it, for the waiting reason. */
  hostName: string;
  /** Why the host has no GPUs when it should (nvidia-smi's failure), told to works that ask for one. */
  unavailable?: string;
}

/** Options of {@link GpuPool.acquire}. */
export interface AcquireOptions {
  /** Gives up waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called once, at once, when the work has to wait, with the reason to show (the work is `pending`). */
  onWait?: (reason: string) => void;
}

const stateSchema = z.object({
  version: z.literal(1),
  works: z.record(z.string().max(1024), z.array(z.string().max(128)).max(1024)),
});

interface Waiting {
  work: string;
  count: number;
  reason: string;
  resolve: (assignment: GpuAssignment) => void;
  reject: (error: unknown) => void;
  promise: Promise<GpuAssignment>;
  cleanup: () => void;
}

/**
 * The host's GPUs and who holds them.
 * @example
 * const pool = await GpuPool.open({ file: paths.gpus, gpus: inventory.gpus, hostName: "gpu-box" });
 * const { env } = await pool.acquire("root.train", gpuCount(compute), { onWait: (reason) => setPending(reason) });
 * spawn(cmd, { env: { ...process.env, ...env } });
 * // when the work's process is gone for good:
 * await pool.release("root.train");
 */
export class GpuPool {
  /** The host's GPUs, in inventory order. */
  readonly gpus: readonly Gpu[];
  readonly #options: GpuPoolOptions;
  readonly #held = new Map<string, string[]>(); // work → UUIDs
  readonly #queue: Waiting[] = [];
  #writing: Promise<void> = Promise.resolve();

  private constructor(options: GpuPoolOptions) {
    this.#options = options;
    this.gpus = options.gpus;
  }

  /**
   * Opens the pool, taking back the assignments persisted in `options.file`
   * (those naming GPUs the host no longer has lose them).
   * @throws GpuStateError when the file is not a valid assignment list.
   */
  static async open(options: GpuPoolOptions): Promise<GpuPool> {
    const pool = new GpuPool(options);
    let text: string | null = null;
    try {
      text = await readFile(options.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (text !== null) {
      let parsed: z.infer<typeof stateSchema>;
      try {
        parsed = stateSchema.parse(JSON.parse(text));
      } catch (error) {
        throw new GpuStateError(
          `[agent] the GPU assignments in ${options.file} cannot be read (${(error as Error).message.slice(0, 200)}). ` +
            "Stop the works on this host and remove the file.",
          { cause: error },
        );
      }
      const known = new Set(options.gpus.map((gpu) => gpu.uuid));
      const taken = new Set<string>();
      for (const [work, uuids] of Object.entries(parsed.works)) {
        const kept = uuids.filter((uuid) => known.has(uuid) && !taken.has(uuid));
        for (const uuid of kept) taken.add(uuid);
        if (kept.length > 0) pool.#held.set(work, kept);
      }
    }
    return pool;
  }

  /** The work holding the GPU `uuid`, or null when it is free. */
  holder(uuid: string): string | null {
    for (const [work, uuids] of this.#held) if (uuids.includes(uuid)) return work;
    return null;
  }

  /** The GPUs `work` holds, or null when it holds none. */
  assignment(work: string): GpuAssignment | null {
    const uuids = this.#held.get(work);
    return uuids === undefined ? null : this.#assignmentOf(work, uuids);
  }

  /** Every current assignment. */
  assignments(): GpuAssignment[] {
    return [...this.#held].map(([work, uuids]) => this.#assignmentOf(work, uuids));
  }

  /** The works waiting for GPUs, first in line first. */
  waiting(): GpuWaiter[] {
    return this.#queue.map(({ work, count, reason }) => ({ work, count, reason }));
  }

  /**
   * Gives `work` `count` GPUs: at once when enough are free and nobody waits
   * before it, else when enough are released (first come, first served). A work
   * that holds GPUs already (an agent restarted under it) gets the same ones.
   * `count` 0 resolves at once with no GPU (`CUDA_VISIBLE_DEVICES=""`).
   * @throws GpuRequestError when the host has fewer than `count` GPUs in all.
   */
  acquire(work: string, count: number, options: AcquireOptions = {}): Promise<GpuAssignment> {
    const held = this.#held.get(work);
    if (held !== undefined) return Promise.resolve(this.#assignmentOf(work, held));
    const queued = this.#queue.find((w) => w.work === work);
    if (queued !== undefined) return queued.promise;
    if (!Number.isInteger(count) || count < 0) {
      return Promise.reject(new GpuRequestError(`[agent] work ${work} asks for ${count} GPUs: a GPU count is a whole number ≥ 0.`));
    }
    if (count === 0) return Promise.resolve(this.#assignmentOf(work, []));
    if (count > this.gpus.length) {
      const why = this.#options.unavailable === undefined ? "" : ` ${this.#options.unavailable}`;
      return Promise.reject(
        new GpuRequestError(
          `[agent] work ${work} asks for ${count} GPU${count === 1 ? "" : "s"} but ${this.#options.hostName} has ${this.gpus.length}.${why} ` +
            "Ask for fewer (CloudCompute `gpus`), run the work on a host with more, or declare the host's GPUs in ~/.lit/host.json.",
        ),
      );
    }
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    if (this.#queue.length === 0 && this.#free().length >= count) {
      const uuids = this.#free().slice(0, count);
      this.#held.set(work, uuids);
      return this.#persist().then(() => this.#assignmentOf(work, uuids));
    }
    const reason = `waiting for ${count === 1 ? "a GPU" : `${count} GPUs`} on ${this.#options.hostName}`;
    let resolve!: (assignment: GpuAssignment) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<GpuAssignment>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const onAbort = (): void => {
      const at = this.#queue.indexOf(waiting);
      if (at >= 0) this.#queue.splice(at, 1);
      reject(options.signal!.reason);
      // whoever was behind this work may fit now
      void this.#grant();
    };
    const waiting: Waiting = { work, count, reason, resolve, reject, promise, cleanup: () => options.signal?.removeEventListener("abort", onAbort) };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    this.#queue.push(waiting);
    options.onWait?.(reason);
    return promise;
  }

  /** Frees the GPUs `work` holds (persisted), and gives them to the works waiting. Releasing a work that holds none does nothing. */
  async release(work: string): Promise<void> {
    if (!this.#held.delete(work)) return;
    await this.#grant(true);
  }

  /** Grants waiting works in order while the first one fits, then persists. */
  async #grant(changed = false): Promise<void> {
    const granted: [Waiting, string[]][] = [];
    while (this.#queue.length > 0) {
      const first = this.#queue[0]!;
      const free = this.#free();
      if (free.length < first.count) break;
      this.#queue.shift();
      first.cleanup();
      const uuids = free.slice(0, first.count);
      this.#held.set(first.work, uuids);
      granted.push([first, uuids]);
    }
    if (!changed && granted.length === 0) return;
    try {
      await this.#persist();
    } catch (error) {
      for (const [waiting] of granted) waiting.reject(error);
      throw error;
    }
    for (const [waiting, uuids] of granted) waiting.resolve(this.#assignmentOf(waiting.work, uuids));
  }

  #free(): string[] {
    const taken = new Set([...this.#held.values()].flat());
    return this.gpus.map((gpu) => gpu.uuid).filter((uuid) => !taken.has(uuid));
  }

  #assignmentOf(work: string, uuids: string[]): GpuAssignment {
    const gpus = uuids.map((uuid) => this.gpus.find((gpu) => gpu.uuid === uuid)!);
    return { work, gpus, env: { CUDA_VISIBLE_DEVICES: uuids.join(",") } };
  }

  /** Writes the current assignments whole, after any write under way (so the last state wins). */
  #persist(): Promise<void> {
    const write = this.#writing.then(() =>
      writeFileAtomic(this.#options.file, JSON.stringify({ version: 1, works: Object.fromEntries(this.#held) }) + "\n", { mode: 0o600 }),
    );
    this.#writing = write.catch(() => undefined);
    return write;
  }
}
