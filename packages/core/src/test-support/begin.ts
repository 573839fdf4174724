/** Starting an app under test without settling it, to look at it mid-call. */
import type { TestApp } from "../testing/index.ts";

/** Starts the app and waits until it runs; its first pass is queued on the fake clock, not run yet. */
export async function begin(t: TestApp<any>): Promise<void> {
  void t.engine.start();
  await t.engine.started;
}
