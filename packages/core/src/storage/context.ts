/**
 * Which work a Path, Drive or Payload belongs to here, and the storage that
 * serves that work in this thread. A worker thread (or an agent's process)
 * hosts one work: values made there belong to it. In-process (tests), each
 * work's core is bound to the storage given to the executor.
 */
import type { StoragePort } from "../ports.ts";
import type { StateOwner } from "../state-value.ts";

/** A work's name, or the work itself (whose dotted name is read when needed: it changes when attached). */
export type WorkName = string | StateOwner;

const ports = new WeakMap<StateOwner, StoragePort>();
let threadWork: StateOwner | undefined;

/**
 * Binds a work to the storage that serves it in this thread.
 * @param ownThread the thread hosts this work alone: Paths made here are its own.
 */
export function bindStorage(work: StateOwner, storage: StoragePort | undefined, ownThread = false): void {
  if (storage) ports.set(work, storage);
  if (ownThread) threadWork = work;
}

/** The storage serving `work` in this thread, if any. */
export function storageOf(work: StateOwner | undefined): StoragePort | undefined {
  return work ? ports.get(work) : undefined;
}

/** The work this thread hosts alone, if it does (a worker thread, an agent's process). */
export function loadedWork(): StateOwner | undefined {
  return threadWork;
}

/** The dotted name of a {@link WorkName}. */
export function nameOf(work: WorkName): string {
  return typeof work === "string" ? work : work.name;
}

/** True when `owner` is a work (state types bind to works, not flows). */
export function isWork(owner: StateOwner | undefined): owner is StateOwner {
  return owner?.kind === "work";
}
