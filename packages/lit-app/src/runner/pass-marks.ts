/// <reference types="deno" />
/**
 * A flow pass watched from another thread. The flow's thread marks in shared
 * memory when each task of its loop (a pass) starts and ends; the thread that
 * supervises it sees a pass that does not end, even while the flow's thread
 * cannot run anything else. Nothing wakes the watcher while the app is idle:
 * it sleeps on the shared memory until a pass starts.
 */
import type { Clock, WakeScheduler } from "@lit-app/core/internal";

/** Int32 index: odd while a pass runs; +1 when one starts, +1 when it ends. */
const SEQ = 0;
/** Int32 index: 1 while the watcher waits for the next pass to be told it started. */
const ARMED = 1;
/** Float64 index (from byte 8): when the running pass started, epoch ms. */
const STARTED = 1;

/** Shared memory for {@link markPasses} and {@link PassWatcher}. */
export function passMarksBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(16);
}

/**
 * The flow's side: `clock` whose `soon()` tasks (the runtime's passes) mark
 * their start and end in `buffer`.
 */
export function markPasses(clock: Clock & WakeScheduler, buffer: SharedArrayBuffer): Clock & WakeScheduler {
  const seq = new Int32Array(buffer, 0, 2);
  const started = new Float64Array(buffer, 0, 2);
  const marked = (fn: () => void) => () => {
    started[STARTED] = Date.now();
    Atomics.add(seq, SEQ, 1);
    if (Atomics.compareExchange(seq, ARMED, 1, 0) === 1) Atomics.notify(seq, SEQ);
    try {
      fn();
    } finally {
      Atomics.add(seq, SEQ, 1);
    }
  };
  return { now: () => clock.now(), at: (time, fn) => clock.at(time, fn), soon: (fn) => clock.soon(marked(fn)) };
}

/** A pass that is running. */
export interface RunningPass {
  /** Which pass (a counter of marks). */
  id: number;
  /** How long it has been running, ms. */
  ms: number;
}

/** Options of {@link PassWatcher}. */
export interface PassWatcherOptions {
  /** A pass running this long is reported, once. */
  stuckAfterMs: number;
  onStuck(pass: RunningPass): void;
}

/** `Atomics.waitAsync` (ES2024; on Bun, Deno and Node 20). */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms) as unknown;
    if (typeof timer === "number") Deno.unrefTimer(timer);
    else (timer as { unref?: () => void }).unref?.();
  });
}

/** The supervising side: reports a pass that runs longer than `stuckAfterMs`. */
export class PassWatcher {
  private readonly seq: Int32Array;
  private readonly started: Float64Array;
  private closed = false;
  private reported = -1;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly options: PassWatcherOptions,
  ) {
    this.seq = new Int32Array(buffer, 0, 2);
    this.started = new Float64Array(buffer, 0, 2);
    void this.watch();
  }

  /** The pass running now, if one is. */
  current(): RunningPass | undefined {
    for (;;) {
      const id = Atomics.load(this.seq, SEQ);
      if (id % 2 === 0) return undefined;
      const ms = Date.now() - (this.started[STARTED] as number);
      if (Atomics.load(this.seq, SEQ) === id) return { id, ms };
    }
  }

  close(): void {
    this.closed = true;
    Atomics.notify(this.seq, SEQ);
  }

  private async watch(): Promise<void> {
    while (!this.closed) {
      Atomics.store(this.seq, ARMED, 1);
      const seq = Atomics.load(this.seq, SEQ);
      if (seq % 2 === 0) {
        const wait = waitAsync(this.seq, SEQ, seq);
        if (wait.async) await wait.value;
        if (this.closed) return;
      }
      Atomics.store(this.seq, ARMED, 0);
      await this.followActivity();
    }
  }

  /** While passes keep coming: look at most once a second, and when the running one would be stuck. */
  private async followActivity(): Promise<void> {
    let seen = -1;
    while (!this.closed) {
      const pass = this.current();
      if (pass) {
        const { stuckAfterMs } = this.options;
        if (pass.ms < stuckAfterMs) {
          await sleep(stuckAfterMs - pass.ms);
          continue;
        }
        if (this.reported !== pass.id) {
          this.reported = pass.id;
          this.options.onStuck(pass);
        }
        await sleep(1000);
        continue;
      }
      const seq = Atomics.load(this.seq, SEQ);
      if (seq === seen) return;
      seen = seq;
      await sleep(1000);
    }
  }
}
