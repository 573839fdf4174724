/** A real-time clock for tests (the lit-app package has the product one). */
import type { Clock, WakeScheduler } from "@lit-app/core/internal";

export const testClock: Clock & WakeScheduler = {
  now: () => Date.now(),
  at: (time, fn) => {
    const t = setTimeout(fn, Math.max(0, time - Date.now()));
    return () => clearTimeout(t);
  },
  soon: (fn) => void setImmediate(fn),
};
