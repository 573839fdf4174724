/**
 * The bounds on an app's state and on what clients may change at once. They
 * keep a patch's cost small whatever it asks for: a patch over them is
 * refused before anything of it is applied, for the price of reading it.
 */
import { ComponentError } from "./errors.ts";

/**
 * Limits on an app's state, set with `new L.LightningApp(root, { limits })`.
 * Sizes are of the state as JSON (the encoded state document's `vars`),
 * counted in characters of its JSON text, about bytes.
 * @example
 * new L.LightningApp(new Root(), { limits: { maxStateBytes: 64 * 1024 * 1024 } });
 */
export interface StateLimits {
  /**
   * The state of all components together, as JSON. Default 16 MiB.
   * A patch (`POST /api/v1/delta`) or a handler's write that would take the
   * state past it is refused (413); a patch that does not grow the state is
   * always taken. Works' changes and flows' passes are counted, never refused:
   * passing the limit so is reported once in the app's log (hand large values
   * between works as an `L.Payload` or an `L.Path` instead).
   */
  maxStateBytes: number;
  /** Operations in one patch. Default 1,000. */
  maxPatchOps: number;
  /**
   * Bytes one patch may write: the JSON sizes of the values its `add` and
   * `replace` operations carry and of what its `copy` and `move` operations
   * copy or move (a move writes its value anew at its target). Default 1 MiB.
   * It bounds both how much a patch may grow the state and what applying it costs.
   */
  maxPatchBytes: number;
  /**
   * How deep values may nest, counted from a component's field (a field
   * holding `[[1]]` is 2 deep): in patches, in the JSON bodies of commands and
   * `configureApi()` routes, and in what their handlers store. Default 64.
   */
  maxDepth: number;
}

/** The limits an app has unless it sets others. */
export const DEFAULT_LIMITS: Readonly<StateLimits> = Object.freeze({
  maxStateBytes: 16 * 1024 * 1024,
  maxPatchOps: 1000,
  maxPatchBytes: 1024 * 1024,
  maxDepth: 64,
});

const NAMES = Object.keys(DEFAULT_LIMITS) as (keyof StateLimits)[];

/**
 * The limits of an app: `given` over {@link DEFAULT_LIMITS}.
 * @throws ComponentError for an unknown name or a value that is not a positive integer.
 */
export function resolveLimits(given: Partial<StateLimits> | undefined): Readonly<StateLimits> {
  if (given === undefined) return DEFAULT_LIMITS;
  if (given === null || typeof given !== "object") {
    throw new ComponentError("E_APP_OPTION", `LightningApp: option "limits" must be an object such as { maxStateBytes: 32 * 1024 * 1024 }.`);
  }
  const out: StateLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(given)) {
    if (!(NAMES as string[]).includes(key)) {
      throw new ComponentError("E_APP_OPTION", `LightningApp: unknown limit "${key}". Limits: ${NAMES.join(", ")}.`);
    }
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      throw new ComponentError("E_APP_OPTION", `LightningApp: limit ${key} must be a positive integer, got ${JSON.stringify(value)}.`);
    }
    out[key as keyof StateLimits] = value;
  }
  return Object.freeze(out);
}

/** A size in bytes the way a user reads it: `1 MiB`, `40000 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
