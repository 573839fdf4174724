/** The run loop's wake-ups: many requested times, one armed timer for the earliest. */
import type { WakeScheduler } from "./ports.ts";

/** Keeps the requested wake-up times and arms one timer at a time. */
export class WakeTimer {
  private readonly times: number[] = [];
  private armed: { time: number; cancel: () => void } | undefined;

  constructor(
    private readonly scheduler: WakeScheduler,
    private readonly now: () => number,
    private readonly onWake: () => void,
  ) {}

  /** Asks for a wake-up at `time`; equal times are kept once. */
  request(time: number): void {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as number) < time) lo = mid + 1;
      else hi = mid;
    }
    if (this.times[lo] !== time) this.times.splice(lo, 0, time);
    this.arm();
  }

  /** Cancels everything. */
  clear(): void {
    this.armed?.cancel();
    this.armed = undefined;
    this.times.length = 0;
  }

  private arm(): void {
    const first = this.times[0];
    if (first === undefined) return;
    if (this.armed && this.armed.time <= first) return;
    this.armed?.cancel();
    const cancel = this.scheduler.at(first, () => this.fire());
    this.armed = { time: first, cancel };
  }

  private fire(): void {
    this.armed = undefined;
    const now = this.now();
    let n = 0;
    while (n < this.times.length && (this.times[n] as number) <= now) n++;
    this.times.splice(0, n);
    this.arm();
    this.onWake();
  }
}
