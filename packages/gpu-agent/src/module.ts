/** A part of the running agent (works, storage, ...): started once, with routes, and closed on stop. */
import type { AgentInfo } from "./agent-info.ts";
import type { AgentMount } from "./app.ts";
import type { GpuPool } from "./gpu/gpu-pool.ts";
import type { GpuInventory } from "./gpu/inventory.ts";
import type { AgentPaths } from "./paths.ts";
import type { WorkTable } from "./work-table.ts";

/** What a module gets when the agent starts (before it listens). */
export interface AgentModuleContext {
  paths: AgentPaths;
  hostName: string;
  agent: Omit<AgentInfo, "port">;
  gpuPool: GpuPool;
  inventory: GpuInventory;
}

/** A started module. */
export interface AgentModuleInstance {
  /** Its routes. */
  mount?: AgentMount;
  /** The running works (one module provides them; the host report lists them). */
  workTable?: WorkTable;
  /** Called when the agent stops (replaced by a new version, or signalled): work processes keep running. */
  close?(): Promise<void>;
}

/**
 * A module of the agent.
 * @example
 * export const worksModule: AgentModule = {
 *   name: "works",
 *   async start(ctx) {
 *     const table = await WorkProcesses.readopt(ctx.paths.home, ctx.gpuPool);
 *     return { workTable: table, mount: (app, c) => mountWorkRoutes(app, c, table), close: () => table.detach() };
 *   },
 * };
 */
export interface AgentModule {
  name: string;
  start(ctx: AgentModuleContext): Promise<AgentModuleInstance> | AgentModuleInstance;
}
