/**
 * A clock that moves only when told to, for driving an app pass by pass in a
 * unit test. Serves the core's Clock and WakeScheduler ports.
 */
import type { Clock, WakeScheduler } from "../ports.ts";

interface Timer {
  id: number;
  time: number;
  fn: () => void;
}

/**
 * A manual clock.
 * @example
 * const clock = new FakeClock(Date.UTC(2026, 0, 1));
 * clock.advance(60_000); // fires the timers due in that minute, in order
 */
export class FakeClock implements Clock, WakeScheduler {
  private time: number;
  private timers: Timer[] = [];
  private queue: (() => void)[] = [];
  private nextId = 1;

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.time = start instanceof Date ? start.getTime() : start;
  }

  now(): number {
    return this.time;
  }

  at(time: number, fn: () => void): () => void {
    const timer = { id: this.nextId++, time, fn };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.time - b.time || a.id - b.id);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  soon(fn: () => void): void {
    this.queue.push(fn);
  }

  /** Runs the callbacks queued with `soon()` (and those they queue), at most `limit`; returns how many ran. */
  runSoon(limit = Infinity): number {
    let n = 0;
    while (this.queue.length && n < limit) {
      const fn = this.queue.shift()!;
      fn();
      n++;
    }
    return n;
  }

  /** True when callbacks are queued with `soon()`. */
  get hasQueued(): boolean {
    return this.queue.length > 0;
  }

  /** The time of the next timer, if any. */
  get nextTimer(): number | undefined {
    return this.timers[0]?.time;
  }

  /**
   * Moves the time forward to `time` without firing timers (use `fireNext`,
   * or `TestApp.advance()`, which fires them in order and lets the app react).
   */
  setTime(time: number): void {
    this.time = Math.max(this.time, time);
  }

  /** Fires the first timer due at or before `limit`, moving the time to it. */
  fireNext(limit: number): boolean {
    const t = this.timers[0];
    if (!t || t.time > limit) return false;
    this.timers.shift();
    this.time = Math.max(this.time, t.time);
    t.fn();
    return true;
  }
}
