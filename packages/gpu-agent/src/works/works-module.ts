/**
 * The agent's works module: the {@link WorkProcesses} of this host's works under
 * `<home>/agent/works`, re-adopted when the agent starts, with GPUs from the
 * agent's pool (`CUDA_VISIBLE_DEVICES`), and the work channel at
 * `GET /v1/channel`. When the agent stops, the works' processes go on.
 */
import { join } from "node:path";
import { channelEvents } from "../channel/route.ts";
import { gpuCount } from "../gpu/gpu-count.ts";
import type { AgentModule } from "../module.ts";
import type { WorkTable as HostWorkTable } from "../work-table.ts";
import { WorkProcesses, type WorkProcessesOptions } from "./work-processes.ts";

/**
 * The works module, with options for tests and bundles (the work program, its
 * runtime). `LIT_AGENT_ORPHAN_MS` in the agent's environment sets how long a
 * work may go without a controller before it is stopped (default 15 minutes).
 */
export function worksModule(options: Pick<WorkProcessesOptions, "program" | "runtime" | "cwd" | "orphanMs"> = {}): AgentModule {
  // The app bundles uploaded to the host: `<home>/agent/programs/<file>`.
  return {
    name: "works",
    start(ctx) {
      const pool = ctx.gpuPool;
      const orphanMs = Number(process.env.LIT_AGENT_ORPHAN_MS);
      const table = WorkProcesses.open({
        ...(Number.isFinite(orphanMs) && orphanMs > 0 ? { orphanMs } : {}),
        ...options,
        dir: join(ctx.paths.dir, "works"),
        programDir: join(ctx.paths.dir, "programs"),
        prepare: async (work, signal, onWait) => {
          const count = gpuCount(work.compute);
          // A work re-opened after a restart keeps the GPUs it held.
          const held = pool.assignment(work.name);
          if (held && held.gpus.length === count) return { env: held.env };
          if (held) await pool.release(work.name);
          return { env: (await pool.acquire(work.name, count, { signal, onWait })).env };
        },
        release: (name) => void pool.release(name).catch(() => undefined),
      });
      const hostView: HostWorkTable = {
        list: () =>
          table.list().map((w) => ({
            name: w.name,
            pid: w.pid ?? null,
            stage: w.state,
            gpus: pool.assignment(w.name)?.gpus.map((g) => g.uuid) ?? [],
          })),
      };
      return {
        workTable: hostView,
        mount: (app, c) => void app.get("/v1/channel", c.upgradeWebSocket(channelEvents(table, { gpusOf: (name) => pool.assignment(name)?.gpus.map((g) => g.uuid) ?? [] }))),
        close: async () => table.detach(),
      };
    },
  };
}
