/** A clock on real time for tests that serve an app over HTTP (the core's Clock & WakeScheduler). */
import type { Clock, WakeScheduler } from "@lit-app/core/internal";

/** Real time, Node timers. */
export const realClock: Clock & WakeScheduler = {
  now: () => Date.now(),
  at(time, fn) {
    const timer = setTimeout(fn, Math.max(0, time - Date.now()));
    return () => clearTimeout(timer);
  },
  soon: (fn) => void setImmediate(fn),
};
