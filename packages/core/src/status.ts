/** The life of a work, as the flow sees it. */

/** Stages of a work's status. */
export type WorkStage = "not_started" | "pending" | "running" | "succeeded" | "failed" | "stopped";

/** A work's status: its stage, since when, and why. */
export interface WorkStatus {
  stage: WorkStage;
  /** Epoch milliseconds of the change. */
  timestamp: number;
  /** A short machine-readable cause: `"error"`, `"exited"`, `"stopped_by_flow"`... */
  reason?: string;
  /** What happened, for people: an error message, an exit code. */
  message?: string;
}
