/**
 * Cleanup that must run when a work is stopped, before its thread or process
 * ends: a work that started child processes kills them here.
 */
import { coreOf } from "./component.ts";
import type { LightningWork } from "./work.ts";

type Hook = () => void | Promise<void>;

const hooks = new WeakMap<object, Set<Hook>>();

/**
 * Registers `hook` to run when `work` is stopped (or the app ends).
 * @returns a function that removes the hook.
 */
export function onWorkStop(work: LightningWork, hook: Hook): () => void {
  const key = coreOf(work) ?? work;
  let set = hooks.get(key);
  if (!set) hooks.set(key, (set = new Set()));
  set.add(hook);
  return () => set.delete(hook);
}

/** Runs (and forgets) the stop hooks of `work`; errors are collected, not thrown. */
export async function runStopHooks(work: LightningWork): Promise<unknown[]> {
  const key = coreOf(work) ?? work;
  const set = hooks.get(key);
  if (!set) return [];
  hooks.delete(key);
  const errors: unknown[] = [];
  for (const hook of set) {
    try {
      await hook();
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
}
