/**
 * A work's thread that sends what is not part of the work protocol (its code
 * writes to the thread's port itself): the flow reports a protocol error
 * naming the work, drops the message, and the work and the app go on.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AppEngine, WorkEvent } from "@lit-app/core/internal";
import { testClock } from "./test-support/clock.ts";
import { until } from "./test-support/until.ts";

const APP = new URL("../test/fixtures/rogue-app.ts", import.meta.url).href;
(globalThis as Record<symbol, unknown>)[Symbol.for("lit-app.embedded")] = true;

let runtime: AppEngine | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

describe("WorkerThreadExecutor and a work that breaks the protocol", () => {
  it("reports each malformed message as a protocol error naming the work, and the work's calls still succeed", async () => {
    const core = await import("@lit-app/core/internal");
    const { WorkerThreadExecutor } = await import("./executor.ts");
    const mod = (await import("../test/fixtures/rogue-app.ts")) as typeof import("../test/fixtures/rogue-app.ts");
    const executor = new WorkerThreadExecutor({ appModule: APP });
    const events: WorkEvent[] = [];
    const bind = executor.bind.bind(executor);
    executor.bind = (emit) => bind((e) => (events.push(e), emit(e)));
    const rt = (runtime = new core.AppEngine(mod.default, { executor, clock: testClock }));
    void rt.start();
    const rogue = (mod.default.root as unknown as { rogue: import("../test/fixtures/rogue-app.ts").Rogue }).rogue;
    await until(() => rogue.count === 2 && rogue.hasSucceeded, "both calls to succeed");
    const errors = events.flatMap((e) => (e.type === "log" && e.stream === "stderr" ? [e.line] : []));
    expect(errors).toHaveLength(4);
    for (const line of errors) expect(line).toMatch(/^\[lit-app\] WorkProtocolError \(E_WORK_PROTOCOL\): root\.rogue sent a message that is not part of the work protocol/);
    expect(errors[0]).toContain(`"callId":42`);
    expect(errors[1]).toContain(`("garbage")`);
    expect(events).toContainEqual({ type: "log", work: "root.rogue", stream: "stdout", line: "call 2 done" });
    expect(rt.stage).toBe("running");
    expect(rogue.status.stage).toBe("succeeded");
  });
});

describe("WorkerThreadExecutor and a lost message", () => {
  it("sees the gap, says so, and resyncs the work's state from its snapshot, so that no change is lost or applied twice", async () => {
    const core = await import("@lit-app/core/internal");
    const { WorkerThreadExecutor } = await import("./executor.ts");
    const url = new URL("../test/fixtures/lossy-app.ts", import.meta.url).href;
    const mod = (await import("../test/fixtures/lossy-app.ts")) as typeof import("../test/fixtures/lossy-app.ts");
    const executor = new WorkerThreadExecutor({ appModule: url });
    const events: WorkEvent[] = [];
    const bind = executor.bind.bind(executor);
    executor.bind = (emit) => bind((e) => (events.push(e), emit(e)));
    const rt = (runtime = new core.AppEngine(mod.default, { executor, clock: testClock }));
    void rt.start();
    const lossy = (mod.default.root as unknown as { lossy: import("../test/fixtures/lossy-app.ts").Lossy }).lossy;
    await until(() => lossy.items.length === 2 && lossy.hasSucceeded, "both calls to succeed");
    expect(lossy.items).toEqual([1, 2]);
    const errors = events.flatMap((e) => (e.type === "log" && e.stream === "stderr" ? [e.line] : []));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/WorkProtocolError \(E_WORK_PROTOCOL\): root\.lossy: messages \d+\.\.\d+ of the work never arrived; its state is resynced from a snapshot/);
    expect(rt.stage).toBe("running");
  });
});
