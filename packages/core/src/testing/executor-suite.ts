/**
 * The conformance suite of the {@link WorkExecutor} port: every executor (in
 * this thread through JSON, worker threads, child processes, remote hosts)
 * runs the same tests, on the conformance app (executor-app.ts), driven by a
 * real {@link AppEngine}, and checked on the events the executor reports and
 * on what the flow sees. Imports vitest (describe, it with a timeout,
 * it.skip, hooks, expect): for the test files of the packages that have an
 * executor, not for apps. `bun test` runs it as it is; on Deno, where vitest
 * does not load, an import map points `vitest` at node:test and
 * @vitest/expect (local-workers' src/test-support/deno-vitest.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LightningApp } from "../app.ts";
import type { Clock, WakeScheduler, WorkCall, WorkEvent, WorkExecutor, WorkRef } from "../ports.ts";
import { AppEngine, type LogLine } from "../app-engine.ts";
import type { ConformanceRoot } from "./executor-app.ts";

/** A fresh executor and conformance app for one test, and how to clean up after it. */
export interface ExecutorFixture {
  readonly executor: WorkExecutor;
  /** A new instance of the conformance app, from the module the executor's works load. */
  readonly app: LightningApp;
  /** A real-time clock (the core owns no timers). */
  readonly clock: Clock & WakeScheduler;
  readonly cleanup?: () => Promise<void>;
}

/** What an executor can be asked to show. */
export interface ExecutorSuiteOptions {
  /** Its works run where they can die without taking the app down (a thread, a process). Default true. */
  readonly crash?: boolean;
  /** It reports what its works print as log events. Default true. */
  readonly logs?: boolean;
  /** How long a test may wait for the works, ms. Default 20,000. */
  readonly timeoutMs?: number;
}

interface Harness {
  engine: AppEngine;
  root: ConformanceRoot;
  executor: WorkExecutor;
  events: WorkEvent[];
  logs: LogLine[];
  refs: Map<string, WorkRef>;
  /** What the flow saw of `counter.items` when each of its results arrived, by call id. */
  seenAtResult: Map<string, number[]>;
  /** Calls the executor was given, by work. */
  calls: { work: string; call: WorkCall }[];
  /** Send each call twice, as a link that re-sends after a reconnect would. */
  resend: boolean;
}

/** The events of one call, by type, in order. */
function callEvents(events: WorkEvent[], callId: string): string[] {
  return events.flatMap((e) => ("callId" in e && e.callId === callId ? [e.type] : []));
}

/**
 * Runs the conformance suite against the executor `make` builds.
 *
 * @example
 * testExecutor("worker threads", async () => ({
 *   executor: new WorkerThreadExecutor({ appModule: FIXTURE }),
 *   app: (await import(FIXTURE)).makeApp(),
 *   clock: testClock,
 * }));
 */
export function testExecutor(name: string, make: () => Promise<ExecutorFixture>, options: ExecutorSuiteOptions = {}): void {
  const timeout = options.timeoutMs ?? 20_000;
  /** A test's own limit: its waits, and the app's start and stop around them. */
  const testTimeout = timeout + 10_000;

  describe(`executor conformance: ${name}`, () => {
    let fixture: ExecutorFixture;
    let h: Harness;

    /** Retries `check` until it passes, on the fixture's clock (the core owns no timers); its last failure if it never does. */
    const waitFor = async (check: () => void): Promise<void> => {
      const end = fixture.clock.now() + timeout;
      for (;;) {
        try {
          return check();
        } catch (error) {
          if (fixture.clock.now() > end) throw error;
        }
        await new Promise<void>((resolve) => fixture.clock.at(fixture.clock.now() + 10, resolve));
      }
    };

    beforeEach(async () => {
      fixture = await make();
      const inner = fixture.executor;
      const harness: Harness = {
        executor: inner,
        events: [],
        logs: [],
        refs: new Map(),
        seenAtResult: new Map(),
        calls: [],
        resend: false,
      } as unknown as Harness;
      // The engine sees the executor through this recorder; the tests also drive the executor itself.
      const recorder: WorkExecutor = {
        bind: (emit) =>
          inner.bind((event) => {
            harness.events.push(event);
            emit(event);
            if ((event.type === "succeeded" || event.type === "failed") && event.work === "root.counter") {
              harness.seenAtResult.set(event.callId, [...harness.root.counter.items]);
            }
          }),
        start: (ref) => (harness.refs.set(ref.name, ref), inner.start(ref)),
        call: (ref, call) => {
          harness.calls.push({ work: ref.name, call });
          inner.call(ref, call);
          if (harness.resend) inner.call(ref, call);
        },
        stop: (ref) => inner.stop(ref),
        close: () => inner.close(),
      };
      harness.engine = new AppEngine(fixture.app, { executor: recorder, clock: fixture.clock });
      harness.root = fixture.app.root as ConformanceRoot;
      harness.engine.onLog((line) => harness.logs.push(line));
      h = harness;
      void h.engine.start();
      await h.engine.started;
    });

    afterEach(async () => {
      await h.engine.stop();
      await fixture.cleanup?.();
    });

    const set = (field: string, value: unknown) =>
      h.engine.applyDelta([{ op: "replace", path: `/components/root/vars/${field}`, value: value as never }]);
    const counterCalls = () => h.calls.filter((c) => c.work === "root.counter").map((c) => c.call.id);

    it("reports a call's started, then its state changes, then its result; calls run in the order given", async () => {
      set("count", 3);
      await waitFor(() => expect(h.root.counter.status.stage).toBe("succeeded"));
      const ids = counterCalls();
      expect(ids).toHaveLength(3);
      expect(h.root.counter.items).toEqual([1, 2, 3]);
      // Each call's state is in the flow's copy when its result arrives: its deltas came first.
      expect(ids.map((id) => h.seenAtResult.get(id))).toEqual([[1], [1, 2], [1, 2, 3]]);
      // A call's events and deltas; where the work runs (placed, waiting) is told apart from them.
      const own = h.events.filter((e) => e.work === "root.counter" && (e.type === "delta" || "callId" in e));
      const order = own.map((e) => ("callId" in e ? `${e.type}:${ids.indexOf(e.callId)}` : e.type));
      expect(order.filter((e) => e !== "delta")).toEqual(["started:0", "succeeded:0", "started:1", "succeeded:1", "started:2", "succeeded:2"]);
      // A delta comes only while a call runs, never after its result.
      order.forEach((e, i) => {
        if (e !== "delta") return;
        const before = order.slice(0, i).filter((x) => x !== "delta").at(-1);
        expect(before, `delta at ${i} of ${order.join(", ")}`).toMatch(/^started:/);
      });
      // Every event crossed as JSON: it is equal to its own round trip.
      for (const e of h.events) expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    }, testTimeout);

    it("runs a call that arrives twice (re-sent) once", async () => {
      h.resend = true;
      set("count", 2);
      await waitFor(() => expect(h.root.counter.status.stage).toBe("succeeded"));
      await new Promise<void>((resolve) => fixture.clock.soon(resolve));
      expect(h.root.counter.items).toEqual([1, 2]);
      for (const id of counterCalls()) expect(callEvents(h.events, id)).toEqual(["started", "succeeded"]);
    }, testTimeout);

    it("a work stopped and started again is a new incarnation: the old one's calls report nothing more", async () => {
      set("count", 1);
      await waitFor(() => expect(h.root.counter.status.stage).toBe("succeeded"));
      const ref = h.refs.get("root.counter")!;
      h.executor.call(ref, { id: "conformance-old", hash: "old", args: [0], delta: [] });
      await waitFor(() => expect(callEvents(h.events, "conformance-old")).toEqual(["started"]));
      await h.executor.stop(ref);
      await h.executor.start(ref);
      h.executor.call(ref, { id: "conformance-new", hash: "new", args: [7], delta: [] });
      await waitFor(() => expect(callEvents(h.events, "conformance-new")).toEqual(["started", "succeeded"]));
      // The new incarnation started from the flow's copy of the work's state.
      expect(h.root.counter.items).toEqual([1, 7]);
      expect(callEvents(h.events, "conformance-old")).toEqual(["started"]);
      expect(h.events.filter((e) => e.type === "exited")).toEqual([]);
    }, testTimeout);

    it("stops a work while its call runs: the call reports nothing more, the work is stopped, the app goes on", async () => {
      set("hang", true);
      await waitFor(() => expect(h.root.counter.status.stage).toBe("running"));
      const [hung] = counterCalls();
      set("stopCounter", true);
      await waitFor(() => expect(h.root.counter.status.stage).toBe("stopped"));
      set("bigSize", 10);
      await waitFor(() => expect(h.root.big.status.stage).toBe("succeeded"));
      expect(callEvents(h.events, hung!)).toEqual(["started"]);
      expect(h.events.filter((e) => e.type === "exited")).toEqual([]);
      expect(h.engine.stage).toBe("running");
    }, testTimeout);

    it("carries megabyte states both ways: 1 MB given to the work, 1 MB made by it", async () => {
      // 1 MB: a patch from the UI may write up to 1 MiB (the app's default limits.maxPatchBytes).
      const mb = 1_000_000;
      h.engine.applyDelta([{ op: "replace", path: "/components/root.big/vars/input", value: "x".repeat(mb) }]);
      set("bigSize", mb);
      await waitFor(() => expect(h.root.big.status.stage).toBe("succeeded"));
      expect(h.root.big.seen).toBe(mb);
      expect(h.root.big.output.length).toBe(mb);
      expect(h.root.big.output).toBe("y".repeat(mb));
    }, testTimeout);

    (options.logs ?? true ? it : it.skip)("reports what a work prints line by line, a last line without a newline included", async () => {
      set("print", true);
      await waitFor(() => expect(h.root.printer.status.stage).toBe("succeeded"));
      await waitFor(() => expect(h.logs.filter((l) => l.work === "root.printer").length).toBeGreaterThanOrEqual(4));
      const lines = h.logs.filter((l) => l.work === "root.printer").map((l) => `${l.stream}:${l.line}`);
      expect(lines).toEqual(["stdout:first line", "stdout:second line", "stdout:third line", "stdout:last line, no newline"]);
      // All of it before the call's result: what a call printed is there once it has ended.
      const own = h.events.filter((e) => e.work === "root.printer").map((e) => (e.type === "log" ? e.line : e.type));
      expect(own.indexOf("succeeded")).toBeGreaterThan(own.indexOf("last line, no newline"));
    }, testTimeout);

    (options.crash ?? true ? it : it.skip)("a work whose thread or process dies has exited and failed; the app and other works go on", async () => {
      set("crash", true);
      await waitFor(() => expect(h.root.crasher.status.stage).toBe("failed"));
      expect(h.root.crasher.status.reason).toBe("exited");
      expect(h.events.filter((e) => e.type === "exited").map((e) => e.work)).toEqual(["root.crasher"]);
      expect(h.engine.stage).toBe("running");
      set("count", 1);
      await waitFor(() => expect(h.root.counter.status.stage).toBe("succeeded"));
      expect(h.root.counter.items).toEqual([1]);
    }, testTimeout);
  });
}
