/**
 * An executor that sends each work to where its compute name says: to the
 * executor of the host a `--host` rule names, or to the local one. Each
 * work stays with the executor it started on until it is stopped.
 */
import type { WorkCall, WorkEvent, WorkExecutor, WorkRef } from "@lit-app/core/internal";
import type { HostRules } from "./host-rules.ts";

/** Routes works between the local executor and one executor per host. */
export class RoutingExecutor implements WorkExecutor {
  private readonly placed = new Map<string, WorkExecutor>();

  /**
   * @param local runs the works no rule sends elsewhere
   * @param hosts one executor per alias the rules name
   */
  constructor(
    private readonly rules: HostRules,
    private readonly local: WorkExecutor,
    private readonly hosts: ReadonlyMap<string, WorkExecutor>,
  ) {
    for (const alias of rules.aliases) {
      if (!hosts.has(alias)) throw new Error(`RoutingExecutor: no executor for the host ${alias}`);
    }
  }

  bind(emit: (event: WorkEvent) => void): void {
    this.local.bind(emit);
    for (const executor of this.hosts.values()) executor.bind(emit);
  }

  /** The executor a work runs on, chosen once, when it starts. */
  private executorOf(work: WorkRef): WorkExecutor {
    let executor = this.placed.get(work.name);
    if (!executor) {
      const alias = this.rules.hostFor(work.compute.name);
      executor = alias === undefined ? this.local : this.hosts.get(alias)!;
      this.placed.set(work.name, executor);
    }
    return executor;
  }

  /** The host alias a work runs on, or `undefined` when it runs here. */
  hostOf(work: WorkRef): string | undefined {
    return this.rules.hostFor(work.compute.name);
  }

  /** Whether a work class can be rebuilt where works run: the app's modules are the same here and on the hosts. */
  canRebuild(cls: Function): boolean | Promise<boolean> {
    return this.local.canRebuild?.(cls) ?? true;
  }

  start(work: WorkRef): Promise<void> {
    return this.executorOf(work).start(work);
  }

  call(work: WorkRef, call: WorkCall): void {
    this.executorOf(work).call(work, call);
  }

  async stop(work: WorkRef): Promise<void> {
    const executor = this.executorOf(work);
    this.placed.delete(work.name);
    await executor.stop(work);
  }

  async close(): Promise<void> {
    await Promise.all([this.local.close(), ...[...this.hosts.values()].map((e) => e.close())]);
  }
}
