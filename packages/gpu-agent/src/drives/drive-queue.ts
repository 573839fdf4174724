/**
 * The Drive requests of this host's works, per app, waiting for the app's
 * controller to take them (a long poll) and answer each. Bounded: at most
 * {@link MAX_PENDING} requests at once; a request no controller takes within
 * `takeMs` fails, naming the host, and one taken but not answered within
 * `answerMs` fails too.
 */
import { randomBytes } from "node:crypto";
import { MAX_POLL_BATCH, type DriveOperation, type DriveOutcome } from "./drive-messages.ts";

/** The most requests pending or under way at once, all apps together. */
export const MAX_PENDING = 1000;

interface Entry {
  id: string;
  app: string;
  operation: DriveOperation;
  settle: (outcome: DriveOutcome) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Options of a {@link DriveQueue}. */
export interface DriveQueueOptions {
  /** The host's name, for messages. */
  hostName: string;
  /** How long a request waits for a controller to take it, ms (default 60 s). */
  takeMs?: number;
  /** How long a taken request waits for its answer, ms (default 30 min: a put may send a large file). */
  answerMs?: number;
  /** How long after its controller's last poll an app counts as served, ms (default {@link SERVED_MS}). */
  servedMs?: number;
  /** When each app was last polled, as kept by a previous run of the agent. */
  served?: Record<string, number>;
  /** Called at each poll (the module keeps the time on disk). */
  onPoll?: (app: string) => void;
}

/** How long after its controller's last poll an app counts as served: past the controller's host-lost limit (10 min). */
export const SERVED_MS = 15 * 60_000;

const failed = (code: string, message: string): DriveOutcome => ({ ok: false, error: { name: "DriveError", code, message } });

/** Drive requests between works and controllers. */
export class DriveQueue {
  private readonly waiting = new Map<string, Entry[]>();
  private readonly taken = new Map<string, Entry>();
  private readonly pollers = new Map<string, Set<() => void>>();
  private count = 0;
  /** When each app's controller last asked for requests (ms since the epoch). */
  private readonly polled = new Map<string, number>();

  constructor(private readonly options: DriveQueueOptions) {
    for (const [app, at] of Object.entries(options.served ?? {})) this.polled.set(app, at);
  }

  /**
   * Whether the app has a Drive authority: a controller asked for its requests
   * within {@link SERVED_MS}. An app with none (deployed with its flow on a host,
   * before that flow serves Drives) keeps its Drives on each host, as before.
   */
  served(app: string): boolean {
    const at = this.polled.get(app);
    return at !== undefined && Date.now() - at < (this.options.servedMs ?? SERVED_MS);
  }

  /** A work's request: resolves with the controller's answer, or a failure when none comes; `E_DRIVE_LOCAL` when the app has no authority. */
  request(app: string, operation: DriveOperation): Promise<DriveOutcome> {
    if (!this.served(app)) return Promise.resolve(failed("E_DRIVE_LOCAL", `no controller serves the Drives of ${app} on ${this.options.hostName}: the work keeps them on this host.`));
    if (this.count >= MAX_PENDING) {
      return Promise.resolve(failed("E_DRIVE_BUSY", `${operation.work ?? "a work"}: the agent on ${this.options.hostName} holds ${MAX_PENDING} Drive requests already; try again when some are answered.`));
    }
    return new Promise((resolve) => {
      const entry: Entry = {
        id: randomBytes(16).toString("hex"),
        app,
        operation,
        settle: (outcome) => {
          clearTimeout(entry.timer);
          if (!this.drop(entry)) return;
          resolve(outcome);
        },
        timer: setTimeout(() => {
          entry.settle(
            failed(
              "E_DRIVE_NO_AUTHORITY",
              `${operation.work ?? "a work"} could not reach the Drive lit://${operation.drive.id}: no controller of its app took the request on ${this.options.hostName} ` +
                `within ${Math.round((this.options.takeMs ?? 60_000) / 1000)} s. Drives are kept where the app's flow runs; is its lit run still connected to this host?`,
            ),
          );
        }, this.options.takeMs ?? 60_000),
      };
      this.count++;
      const list = this.waiting.get(app) ?? [];
      list.push(entry);
      this.waiting.set(app, list);
      const wake = this.pollers.get(app);
      if (wake) for (const fn of [...wake]) fn();
    });
  }

  /** Removes `entry` wherever it is; false when it was settled already. */
  private drop(entry: Entry): boolean {
    if (this.taken.delete(entry.id)) {
      this.count--;
      return true;
    }
    const list = this.waiting.get(entry.app);
    const at = list?.indexOf(entry) ?? -1;
    if (at < 0) return false;
    list!.splice(at, 1);
    if (list!.length === 0) this.waiting.delete(entry.app);
    this.count--;
    return true;
  }

  /** The app's waiting requests (at most {@link MAX_POLL_BATCH}), now or within `waitMs`; none when `signal` aborts. */
  async take(app: string, waitMs: number, signal?: AbortSignal): Promise<{ id: string; operation: DriveOperation }[]> {
    this.polled.set(app, Date.now());
    this.options.onPoll?.(app);
    if (!this.waiting.has(app) && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const set = this.pollers.get(app) ?? new Set();
        this.pollers.set(app, set);
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          set.delete(done);
          if (set.size === 0) this.pollers.delete(app);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        signal?.addEventListener("abort", done);
        set.add(done);
      });
    }
    if (signal?.aborted) return [];
    const list = this.waiting.get(app) ?? [];
    const batch = list.splice(0, MAX_POLL_BATCH);
    if (list.length === 0) this.waiting.delete(app);
    const answerMs = this.options.answerMs ?? 30 * 60_000;
    for (const entry of batch) {
      this.taken.set(entry.id, entry);
      clearTimeout(entry.timer);
      entry.timer = setTimeout(
        () => entry.settle(failed("E_DRIVE_NO_ANSWER", `${entry.operation.work ?? "a work"}: the controller took a request on the Drive lit://${entry.operation.drive.id} and did not answer within ${Math.round(answerMs / 1000)} s.`)),
        answerMs,
      );
    }
    return batch.map((e) => ({ id: e.id, operation: e.operation }));
  }

  /** The controller's answer to a taken request; false when no such request is under way (answered, or timed out). */
  answer(id: string, outcome: DriveOutcome): boolean {
    const entry = this.taken.get(id);
    if (!entry) return false;
    entry.settle(outcome);
    return true;
  }

  /** Fails every request (the agent stops). */
  close(): void {
    for (const entry of [...this.taken.values(), ...[...this.waiting.values()].flat()]) {
      entry.settle(failed("E_DRIVE_NO_AUTHORITY", `${entry.operation.work ?? "a work"}: the agent on ${this.options.hostName} stopped before its Drive request was answered.`));
    }
  }
}
