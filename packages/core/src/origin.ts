/**
 * Who is changing state right now. A flow's `run()` is synchronous, so a
 * module-level marker set around each pass is exact: any change made while it
 * is "flow" was made by the flow.
 */

/**
 * - `flow`: inside a flow pass (or a handler running in the flow's loop);
 * - `external`: a delta from the UI or the REST API being applied;
 * - `remote`: a work's delta, reported by its executor, being applied;
 * - `local`: anything else (a work running in this thread, test code).
 */
export type Origin = "flow" | "external" | "remote" | "local";

let current: Origin = "local";

/** The origin of state changes made now. */
export function currentOrigin(): Origin {
  return current;
}

/** Runs `fn` with the given origin, restoring the previous one after. */
export function withOrigin<T>(origin: Origin, fn: () => T): T {
  const prev = current;
  current = origin;
  try {
    return fn();
  } finally {
    current = prev;
  }
}
