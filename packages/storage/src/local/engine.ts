/**
 * The transfer engine as local storage uses it, loaded on first use: a work
 * that hands no file on never loads it, so starting a work thread costs less.
 */

/** What local storage needs of the engine. */
export interface Engine {
  sync: typeof import("../sync.ts").sync;
  localRoot: typeof import("../root.ts").localRoot;
}

let engine: Promise<Engine> | undefined;

/** The transfer engine, imported once, on the first call. */
export function storageLib(): Promise<Engine> {
  return (engine ??= Promise.all([import("../sync.ts"), import("../root.ts")]).then(([{ sync }, { localRoot }]) => ({ sync, localRoot })));
}
