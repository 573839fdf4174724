/**
 * Cron schedules for `flow.schedule(...)`, computed with cron-parser.
 */
import type { CronExpressionParser as Parser } from "cron-parser";
import { CronError } from "./errors.ts";
import { endsPass, WaitingForCron } from "./signals.ts";

let CronExpressionParser: typeof Parser | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the cron parser. It is loaded only when a flow first calls `schedule()`
 * (that pass ends with {@link WaitingForCron} and the engine re-runs the flow
 * once this resolves), so an app that schedules nothing never loads it.
 */
export function preloadCron(): Promise<void> {
  loading ??= import("cron-parser").then((m) => {
    CronExpressionParser = m.CronExpressionParser;
  });
  return loading;
}

/** Aliases accepted by `schedule()`, with or without a leading `@`. */
export const CRON_ALIASES: Readonly<Record<string, string>> = {
  hourly: "0 * * * *",
  daily: "0 0 * * *",
  midnight: "0 0 * * *",
  weekly: "0 0 * * 0",
  monthly: "0 0 1 * *",
  yearly: "0 0 1 1 *",
  annually: "0 0 1 1 *",
};

/** Options of `flow.schedule()`. */
export interface ScheduleOptions {
  /** When the schedule starts counting; default: the first call. */
  startTime?: Date | number | string;
  /** IANA time zone for the cron fields; default: the machine's. */
  tz?: string;
}

/** A parsed cron schedule. */
export interface CronSchedule {
  readonly expression: string;
  /** The first firing strictly after `time` (epoch ms). */
  nextAfter(time: number): number;
}

/**
 * Parses a cron string (5 fields, 6 with seconds first) or an alias.
 * @throws CronError for an invalid string; WaitingForCron while the parser loads (see {@link preloadCron}).
 */
export function parseCron(cron: string, where: string, tz?: string): CronSchedule {
  if (typeof cron !== "string") {
    throw new CronError(`${where}: schedule() takes a cron string such as "0 * * * *" or "hourly", got ${typeof cron}.`);
  }
  const alias = CRON_ALIASES[cron.trim().replace(/^@/, "").toLowerCase()];
  const expression = alias ?? cron.trim();
  const fields = expression.split(/\s+/).length;
  const help =
    `Use 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, ` +
    `or one of: ${Object.keys(CRON_ALIASES).join(", ")}.`;
  if (fields !== 5 && fields !== 6) {
    throw new CronError(`${where}: invalid cron string ${JSON.stringify(cron)}: it has ${fields} field(s). ${help}`);
  }
  const parser = CronExpressionParser;
  if (!parser) {
    void preloadCron().catch(() => undefined);
    throw endsPass(new WaitingForCron(where));
  }
  const options = (time: number) => ({ currentDate: new Date(time), strict: false, ...(tz ? { tz } : {}) });
  try {
    parser.parse(expression, options(0));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CronError(`${where}: invalid cron string ${JSON.stringify(cron)}: ${reason}. ${help}`, error);
  }
  return {
    expression,
    nextAfter(time: number): number {
      return parser.parse(expression, options(time)).next().getTime();
    },
  };
}

/** Turns a `startTime` option into epoch ms. */
export function toEpoch(value: Date | number | string, where: string): number {
  const t = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(t)) {
    throw new CronError(`${where}: schedule() startTime ${JSON.stringify(value)} is not a valid date.`);
  }
  return t;
}
