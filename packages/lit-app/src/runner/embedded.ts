/** Whether this thread loaded the app to use it (lit command, worker, agent, test) rather than to run it. */

const FLAG = Symbol.for("lit-app.embedded");

/** Marks this thread as one that must not start apps by itself. */
export function setEmbedded(): void {
  (globalThis as Record<symbol, unknown>)[FLAG] = true;
}

/** True when apps constructed here must not start by themselves. */
export function isEmbedded(): boolean {
  return (globalThis as Record<symbol, unknown>)[FLAG] === true;
}
