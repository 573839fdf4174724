/**
 * Calling route and command handlers. A method of the flow that declared it
 * runs in the flow's loop (its state changes re-run the flow and reach works);
 * any other function runs in the server as a plain call.
 */
import type { LightningFlow } from "@lit-app/core";
import type { AppEngine } from "@lit-app/core/internal";

/** True when `fn` is a method (or a function-valued field) of `flow`. */
export function isMethodOf(flow: object, fn: Function): boolean {
  for (let p: object | null = flow; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const key of Object.getOwnPropertyNames(p)) {
      const desc = Object.getOwnPropertyDescriptor(p, key);
      if (desc && "value" in desc && desc.value === fn) return true;
    }
  }
  return false;
}

/** A handler together with how it is to be called. */
export interface BoundHandler {
  /** The flow that declared it. */
  flow: LightningFlow;
  fn: Function;
  /** True when it runs in the flow's loop. */
  inLoop: boolean;
}

/** Decides how `fn`, declared by `flow`, is called. */
export function bindHandler(flow: LightningFlow, fn: Function): BoundHandler {
  return { flow, fn, inLoop: isMethodOf(flow, fn) };
}

/** Calls a handler with `args`; rejects with what it threw (control signals included). */
export async function callHandler(engine: AppEngine, handler: BoundHandler, args: unknown[]): Promise<unknown> {
  if (handler.inLoop) return await engine.runInLoop(() => handler.fn.apply(handler.flow, args));
  return await handler.fn(...args);
}

/** Every flow of the app, root first. */
export function flowsOf(engine: AppEngine): LightningFlow[] {
  const out: LightningFlow[] = [];
  for (const c of engine.components()) if (c.kind === "flow") out.push(c.proxy as LightningFlow);
  return out;
}
