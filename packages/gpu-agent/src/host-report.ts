/** GET /v1/host: this machine's CPUs, memory, disk, runtime, agent, GPUs and running works. */
import { cpus, freemem, hostname, totalmem } from "node:os";
import { statfs } from "node:fs/promises";
import type { AgentInfo } from "./agent-info.ts";
import type { GpuPool } from "./gpu/gpu-pool.ts";
import type { GpuInventory } from "./gpu/inventory.ts";
import type { WorkTable, WorkTableEntry } from "./work-table.ts";
import { splitTableName } from "./works/app-key.ts";

/** The host report. */
export interface HostReport {
  /** The host's name as users know it (`--name`, else the OS host name). */
  hostName: string;
  /** The OS host name. */
  osHostName: string;
  platform: string;
  arch: string;
  cpus: { count: number; model: string };
  memory: { totalBytes: number; freeBytes: number };
  /** The file system holding the lit home. */
  disk: { path: string; totalBytes: number; freeBytes: number };
  runtime: { name: AgentInfo["runtime"]; version: string };
  agent: { version: string; bundleHash: string | null; pid: number; startedAt: string };
  /** `work`: the dotted name of the work holding the GPU (null: free), and `app` its app's key (`apps/<name>`) when it has one. */
  gpus: { index: number | null; uuid: string; name: string; memoryMiB: number; work: string | null; app?: string }[];
  /** Where the GPU list came from, and nvidia-smi's failure if it failed. */
  gpuSource: GpuInventory["source"];
  gpuError: string | null;
  /** The works waiting for GPUs, first in line first (named as in `gpus`). */
  gpuWaiting: { work: string; app?: string; count: number; reason: string }[];
  works: WorkTableEntry[];
}

/** What the report is made of. */
export interface HostReportSources {
  hostName: string;
  home: string;
  agent: Omit<AgentInfo, "port">;
  inventory: GpuInventory;
  gpuPool: GpuPool;
  workTable: WorkTable;
}

/** Makes the report now. */
export async function hostReport(sources: HostReportSources): Promise<HostReport> {
  const cpuList = cpus();
  const fs = await statfs(sources.home);
  const { agent, gpuPool } = sources;
  return {
    hostName: sources.hostName,
    osHostName: hostname(),
    platform: process.platform,
    arch: process.arch,
    cpus: { count: cpuList.length, model: cpuList[0]?.model.trim() ?? "unknown" },
    memory: { totalBytes: totalmem(), freeBytes: freemem() },
    disk: { path: sources.home, totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize },
    runtime: { name: agent.runtime, version: agent.runtimeVersion },
    agent: { version: agent.version, bundleHash: agent.bundleHash ?? null, pid: agent.pid, startedAt: agent.startedAt },
    gpus: gpuPool.gpus.map((gpu) => {
      const holder = gpuPool.holder(gpu.uuid);
      return { index: gpu.index ?? null, uuid: gpu.uuid, name: gpu.name, memoryMiB: gpu.memoryMiB, ...(holder === null ? { work: null } : named(holder)) };
    }),
    gpuSource: sources.inventory.source,
    gpuError: sources.inventory.error ?? null,
    gpuWaiting: gpuPool.waiting().map(({ work, count, reason }) => ({ ...named(work), count, reason })),
    works: sources.workTable.list(),
  };
}

/** A work of the GPU pool (named by its table name) as the report names it: its dotted name, and its app. */
function named(tableName: string): { work: string; app?: string } {
  const { app, work } = splitTableName(tableName);
  return app === undefined ? { work } : { work, app };
}
