/**
 * How long a host of `lit run --host` may stay unreachable before its works
 * fail with reason `host lost`: `--host-lost-after <seconds>` or
 * `runApp({ hostLostMs })`, else `LIT_HOST_LOST_AFTER` (seconds), else the
 * remote executor's default (10 minutes).
 */
import process from "node:process";

/** The environment variable that sets the limit, in seconds. */
export const HOST_LOST_ENV = "LIT_HOST_LOST_AFTER";

/** Seconds as given (`"90"`, `"2.5"`) to ms; undefined when it is not a number greater than 0. */
export function parseHostLostAfter(seconds: string): number | undefined {
  if (!/^\s*\d+(\.\d+)?\s*$/.test(seconds)) return undefined;
  const ms = Math.round(Number(seconds) * 1000);
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * The `hostLostMs` option for the hosts' executors: `option` when given, else
 * the environment's; nothing when neither is set.
 * @throws Error when `LIT_HOST_LOST_AFTER` is set but not a number of seconds greater than 0.
 */
export function hostLost(option: number | undefined): { hostLostMs?: number } {
  if (option !== undefined) return { hostLostMs: option };
  const env = process.env[HOST_LOST_ENV];
  if (env === undefined || env === "") return {};
  const ms = parseHostLostAfter(env);
  if (ms === undefined) {
    throw new Error(`${HOST_LOST_ENV} must be a number of seconds greater than 0 (how long a host may stay unreachable before its works fail with reason "host lost"), got ${JSON.stringify(env)}: set one, or unset it.`);
  }
  return { hostLostMs: ms };
}
