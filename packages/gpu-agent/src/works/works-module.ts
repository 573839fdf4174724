/**
 * The agent's works module: the {@link WorkProcesses} of this host's works under
 * `<home>/agent/works`, re-adopted when the agent starts, with GPUs from the
 * agent's pool (`CUDA_VISIBLE_DEVICES`), and the work channel at
 * `GET /v1/channel`. When the agent stops, the works' processes go on.
 *
 * `DELETE /v1/works?app=apps/<name>` stops and forgets every work of that app
 * here (their stop hooks get `graceMs`, default 3000): how `lit stop` ends an
 * app's works on a host when its flow cannot do it (its host is unreachable,
 * or the flow is gone). Answers `{ stopped: ["root.train", ...] }`.
 */
import { join } from "node:path";
import { channelEvents } from "../channel/route.ts";
import { AgentHttpError } from "../http-errors.ts";
import { isAppKey, splitTableName } from "./app-key.ts";
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
          table.list().map((w) => {
            const { app, work } = splitTableName(w.name);
            const gpus = pool.assignment(w.name)?.gpus.map((g) => g.uuid) ?? [];
            return { name: work, ...(app ? { app } : {}), pid: w.pid ?? null, stage: w.state, gpus };
          }),
      };
      return {
        workTable: hostView,
        mount: (app, c) => {
          app.get("/v1/channel", c.upgradeWebSocket(channelEvents(table, { gpusOf: (name) => pool.assignment(name)?.gpus.map((g) => g.uuid) ?? [] })));
          app.delete("/v1/works", async (r) => {
            const key = r.req.query("app") ?? "";
            if (!isAppKey(key)) throw new AgentHttpError(400, "E_INVALID_QUERY", `"app" must be the app's storage folder (apps/<name>), got ${JSON.stringify(key.slice(0, 80))}.`);
            const graceMs = Math.min(600_000, Math.max(0, Number(r.req.query("graceMs") ?? "3000") || 0));
            const stopped = await table.forgetAll((name) => splitTableName(name).app === key, graceMs);
            return r.json({ stopped: stopped.map((name) => splitTableName(name).work) });
          });
        },
        close: async () => table.detach(),
      };
    },
  };
}
