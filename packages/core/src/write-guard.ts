/**
 * The app's state limits for code that runs in the flow's loop on a client's
 * behalf (route and command handlers): while one runs, every value it stores
 * is checked as it is stored, and a write that would pass a limit throws
 * before anything is changed. Set around the handler's synchronous part, as
 * the origin marker is; flows' passes and works are not guarded.
 */
import type { StateLocation } from "./state-value.ts";

/** What checks a handler's writes. */
export interface WriteGuard {
  /** How deep values may nest, counted from a component's field. */
  readonly maxDepth: number;
  /** Throws when a value at `inner` (below `where`) nests deeper than {@link maxDepth}. */
  tooDeep(where: StateLocation, inner: readonly string[]): never;
  /** Throws when storing `value` (a validated copy) at `where` would pass a limit. */
  admit(where: StateLocation, value: unknown): void;
}

let active: WriteGuard | undefined;

/** The guard of the handler running now, if one is. */
export function activeWriteGuard(): WriteGuard | undefined {
  return active;
}

/** Runs `fn` with `guard` checking the state it stores. */
export function withWriteGuard<T>(guard: WriteGuard, fn: () => T): T {
  const prev = active;
  active = guard;
  try {
    return fn();
  } finally {
    active = prev;
  }
}
