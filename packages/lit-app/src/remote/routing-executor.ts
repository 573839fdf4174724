/**
 * An executor that sends each work to where its compute name says: to the
 * executor of the host a `--host` rule names, or to the local one. Each
 * work stays with the executor it started on until it is stopped.
 */
import type { JsonValue } from "@lit-app/core";
import type { WorkCall, WorkEvent, WorkExecutor, WorkRef } from "@lit-app/core/internal";
import type { HostRules } from "./host-rules.ts";
import { pathsIn, relayPath, type RelayHost } from "./path-relay.ts";

/** Routes works between the local executor and one executor per host. */
export class RoutingExecutor implements WorkExecutor {
  private readonly placed = new Map<string, WorkExecutor>();
  /** The host each placed work runs on (undefined: here). */
  private readonly placedOn = new Map<string, string | undefined>();
  /** Per work, the calls held back while the Paths they carry are sent to its host. */
  private readonly relaying = new Map<string, Promise<void>>();
  private emit: (event: WorkEvent) => void = () => {};

  /**
   * @param local runs the works no rule sends elsewhere
   * @param hosts one executor per alias the rules name
   * @param relays how each host is reached to send it Paths written on another host (none: Paths are not sent)
   * @param localRelay this machine's works' storage, for Paths between them and works on hosts (none: not sent)
   */
  constructor(
    private readonly rules: HostRules,
    private readonly local: WorkExecutor,
    private readonly hosts: ReadonlyMap<string, WorkExecutor>,
    private readonly relays?: ReadonlyMap<string, RelayHost>,
    private readonly localRelay?: RelayHost,
  ) {
    for (const alias of rules.aliases) {
      if (!hosts.has(alias)) throw new Error(`RoutingExecutor: no executor for the host ${alias}`);
    }
  }

  bind(emit: (event: WorkEvent) => void): void {
    this.emit = emit;
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
      this.placedOn.set(work.name, alias);
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

  /** Re-attaches a work of an earlier run of the flow through the executor its compute name routes it to. */
  reattach(work: WorkRef, calls: readonly { id: string; hash: string }[], handle: JsonValue | undefined): Promise<string[]> {
    return this.executorOf(work).reattach?.(work, calls, handle) ?? Promise.resolve([]);
  }

  call(work: WorkRef, call: WorkCall): void {
    const executor = this.executorOf(work);
    const target = this.placedOn.get(work.name);
    const to = target === undefined ? this.localRelay : this.relays?.get(target);
    if (!to) return executor.call(work, call);
    // Paths written on another machine, handed to this work (arguments, or fields the flow set).
    const refs = [...pathsIn(call.args), ...pathsIn(call.delta as unknown as JsonValue), ...pathsIn(work.state())].filter((ref, i, all) => {
      if (!this.placedOn.has(ref.origin) || this.placedOn.get(ref.origin) === target) return false;
      const from = this.relayOf(this.placedOn.get(ref.origin));
      return from !== undefined && all.findIndex((r) => r.origin === ref.origin && r.path === ref.path) === i;
    });
    const before = this.relaying.get(work.name);
    if (refs.length === 0 && !before) return executor.call(work, call);
    const relayed = (before ?? Promise.resolve())
      .then(() =>
        Promise.all(
          refs.map(async (ref) => {
            const from = this.relayOf(this.placedOn.get(ref.origin))!;
            const report = await relayPath(ref, from, to);
            const sent = report.blobsSent === 0 ? "unchanged, nothing sent" : `${report.blobsSent} blob${report.blobsSent === 1 ? "" : "s"}, ${report.bytesSent} bytes sent`;
            const what = ref.path.startsWith(".lit-payloads/") ? `a Payload (${ref.path.slice(14, 26)})` : `the Path ${ref.path}`;
            this.emit({ type: "log", work: work.name, stream: "stderr", line: `[lit-app] ${what} of ${ref.origin} from ${from.alias} to ${to.alias}: ${sent}` });
          }),
        ),
      )
      .then(
        () => executor.call(work, call),
        (error: unknown) =>
          this.emit({ type: "failed", work: work.name, callId: call.id, error: { name: "PathRelayError", message: error instanceof Error ? error.message : String(error) } }),
      );
    this.relaying.set(work.name, relayed);
    void relayed.then(() => {
      if (this.relaying.get(work.name) === relayed) this.relaying.delete(work.name);
    });
  }

  /** How the relay reaches a host (undefined: this machine). */
  private relayOf(alias: string | undefined): RelayHost | undefined {
    return alias === undefined ? this.localRelay : this.relays?.get(alias);
  }

  async stop(work: WorkRef): Promise<void> {
    const executor = this.executorOf(work);
    this.placed.delete(work.name);
    this.placedOn.delete(work.name);
    await executor.stop(work);
  }

  async close(): Promise<void> {
    await Promise.all([this.local.close(), ...[...this.hosts.values()].map((e) => e.close())]);
    // After the local works released their roots: what relaying left here goes too, when nothing else is there.
    await this.localRelay?.close?.().catch(() => undefined);
  }
}
