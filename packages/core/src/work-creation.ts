/**
 * Where a work was created at run time (inside a flow's `run()`): its thread
 * rebuilds it from its class, so the class must be found there; when it is
 * not, the failure points at this line of the user's code.
 */
import type { LightningWork } from "./work.ts";

/** A work created inside a flow pass. */
export interface WorkCreation {
  /** The work's class, as the flow's thread knows it. */
  readonly cls: Function;
  /** Captured at the `new`: its stack names the user's line that created the work (formatted when read). */
  readonly site: Error;
}

const creations = new WeakMap<object, WorkCreation>();

/** Records that `work` was created inside a flow pass. */
export function recordCreation(work: object, cls: Function): void {
  creations.set(work, { cls, site: new Error("created here") });
}

/** How `work` was created, if it was created inside a flow pass (a work of the app's tree as its module builds it was not). */
export function workCreation(work: LightningWork): WorkCreation | undefined {
  return creations.get(work);
}
