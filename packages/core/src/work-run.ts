/** Reaching a work's own `run()`, past the flow-side call dispatcher. */
import type { LightningWork } from "./work.ts";

/** The user's `run` method of a work, to be called with the work as `this`. */
export function runMethodOf(work: LightningWork): (...args: unknown[]) => unknown {
  const run = (Object.getPrototypeOf(work) as { run?: unknown }).run;
  if (typeof run !== "function") throw new TypeError(`${work.constructor.name} has no run() method`);
  return run as (...args: unknown[]) => unknown;
}
