/** The framework's record of one flow: its schedules on top of the component machinery. */
import { ComponentCore } from "./component.ts";
import type { CronSchedule } from "./schedule.ts";

/** One `schedule()` call site's state. */
export interface ScheduleState {
  cron: CronSchedule;
  /** The next firing, epoch ms. */
  next: number;
  /** The pass in which it last fired: every call in that pass answers true. */
  firedInPass: number;
}

/** The framework's record of one flow. */
export class FlowCore extends ComponentCore {
  readonly schedules = new Map<string, ScheduleState>();
}
