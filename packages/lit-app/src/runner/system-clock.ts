/** The real clock: serves the core's Clock and WakeScheduler ports with the runtime's timers. */
import type { Clock, WakeScheduler } from "@lit-app/core/internal";

const MAX_DELAY = 2 ** 31 - 1;

const defer: (fn: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === "function"
    ? (fn) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(fn)
    : (fn) => void setTimeout(fn, 0);

/** A clock on `Date.now()` and the runtime's timers. */
export const systemClock: Clock & WakeScheduler = {
  now: () => Date.now(),
  at(time, fn) {
    let timer: ReturnType<typeof setTimeout>;
    const arm = () => {
      const delay = time - Date.now();
      if (delay <= 0) return void (timer = setTimeout(fn, 0));
      timer = setTimeout(delay > MAX_DELAY ? arm : fn, Math.min(delay, MAX_DELAY));
    };
    arm();
    return () => clearTimeout(timer);
  },
  soon: defer,
};
