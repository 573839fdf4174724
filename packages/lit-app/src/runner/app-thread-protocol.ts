/**
 * The messages between the thread that supervises an app (it handles signals
 * and never runs the app's code) and the app's thread (the flow, the app
 * server, and the works' threads below it).
 */
import type { RunAppOptions } from "./run-app.ts";

/** The name of the app's thread, as debuggers and the stack probe see it. */
export const APP_THREAD_NAME = "lit-app flow";

/** What the app's thread runs with: {@link RunAppOptions} that survive a structured clone. */
export type AppThreadOptions = Omit<RunAppOptions, "appModule" | "handleSignals" | "clock">;

/** To the app's thread. */
export type ToAppThread =
  /**
   * Sent first when the app's module is still loading in the supervising thread (`lit run`): load meanwhile
   * what running an app takes (the app server when `server`). Not otherwise: the app's module loads first,
   * since the works' threads start as soon as it is loaded (see run-app.ts).
   */
  | { type: "prepare"; server: boolean }
  /** Load the app from `appModule` and run it; mark its passes in `marks` (see pass-marks.ts). */
  | { type: "start"; appModule: string; options: AppThreadOptions; marks: SharedArrayBuffer }
  /** Stop the app (Ctrl-C, SIGTERM, the parent process gone). */
  | { type: "stop"; reason: string }
  /** A work's thread started for the app's thread ended (see work-threads.ts). */
  | { type: "work-exit"; id: number; exit: WorkThreadExit };

/** How a work's thread ended: its exit code, or the error that ended it. */
export interface WorkThreadExit {
  code?: number;
  error?: { name: string; message: string; stack?: string };
}

/** From the app's thread. */
export type FromAppThread =
  /** The app is loaded: the class of its root flow, for messages. */
  | { type: "loaded"; rootClass: string }
  /** The app ended (or could not start); everything it has to print is printed. */
  | { type: "done"; exitCode: number }
  /** Start a work's thread running `url`, talking to the app's thread through `port` (see work-threads.ts). */
  | { type: "spawn-work"; id: number; url: string; name: string; port: MessagePort }
  | { type: "terminate-work"; id: number };
