/**
 * A flow started again re-attaches to its work on a host, with a real agent
 * (a child process) and a real work process: the first flow's link is cut
 * for good mid-call (its process died), a second flow resumes from the
 * first one's journal, and re-adopts the work still running under the agent.
 * The call is not run again; every line is shown once across the two flows;
 * the call's result reaches the second flow.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AppEngine, replayJournal, type DurableState, type JournalRecord, type LogLine, type StateJournal } from "@lit-app/core/internal";
import { makeApp, type FaultRoot } from "../../test/fixtures/fault-app.ts";
import { RemoteExecutor } from "./remote-executor.ts";
import { startTestAgent, type TestAgent } from "../test-support/test-agent.ts";
import { expectedTicks, testClock } from "../test-support/remote-app.ts";
import { until } from "../test-support/until.ts";

const APP = new URL("../../test/fixtures/fault-app.ts", import.meta.url).href;

/** A journal kept as JSON text in memory, as a file keeps it. */
class TextJournal implements StateJournal {
  snapshotText: string | undefined;
  lines: string[] = [];
  load(): DurableState | undefined {
    if (this.snapshotText === undefined) return undefined;
    return replayJournal(JSON.parse(this.snapshotText) as DurableState, this.lines.map((l) => JSON.parse(l) as JournalRecord));
  }
  append(records: readonly JournalRecord[]): void {
    for (const r of records) this.lines.push(JSON.stringify(r));
  }
  flush(): void {}
  snapshotDue(): boolean {
    return this.lines.length > 1000;
  }
  snapshot(state: DurableState): void {
    this.snapshotText = JSON.stringify(state);
    this.lines = [];
  }
  close(): void {}
  /** What a process that died now leaves behind. */
  copy(): TextJournal {
    const c = new TextJournal();
    c.snapshotText = this.snapshotText;
    c.lines = [...this.lines];
    return c;
  }
}

function flow(agent: TestAgent, journal: StateJournal) {
  const executor = new RemoteExecutor({ host: "loopback", connect: async () => ({ url: agent.url }), token: agent.token, appModule: APP, backoff: { initialMs: 50, maxMs: 200 } });
  const app = makeApp();
  const engine = new AppEngine(app, { executor, clock: testClock, journal });
  const logs: LogLine[] = [];
  engine.onLog((line) => logs.push(line));
  void engine.start();
  const ticks = () => logs.filter((l) => l.work === "root.ticker" && l.line.startsWith("tick ")).map((l) => l.line);
  return { executor, engine, root: app.root as FaultRoot, ticks };
}

describe("a flow started again re-attaches to its work on a host", () => {
  let agent: TestAgent | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await agent?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
    agent = dir = undefined;
  });

  /**
   * A first flow whose work prints `lines` ticks, gone (its link dropped, its timers stopped, its works
   * left running) once `seen` of them arrived; with the journal it left and the work's run-count file.
   */
  async function firstFlowGone(lines: number, seen: number) {
    const running = await startTestAgent();
    agent = running;
    dir = mkdtempSync(join(tmpdir(), "lit-reattach-"));
    const marker = join(dir, "runs");
    const journal = new TextJournal();
    const first = flow(running, journal);
    await first.engine.started;
    first.engine.applyDelta([
      { op: "replace", path: "/components/root/vars/marker", value: marker },
      { op: "replace", path: "/components/root/vars/everyMs", value: 20 },
      { op: "replace", path: "/components/root/vars/lines", value: lines },
    ]);
    await until(() => first.ticks().length >= seen, `the first flow's first ${seen} lines`);
    const internals = first.executor as unknown as { state: string; socket?: { terminate(): void }; pingTimer?: ReturnType<typeof setInterval> };
    internals.state = "closed";
    clearInterval(internals.pingTimer);
    internals.socket?.terminate();
    return { marker, journal, first, running };
  }

  it("the first flow gone mid-call: the second resumes from its journal, the call runs once, every line once", async () => {
    // The first flow's process dies: its link goes, nothing of it runs any more (its works are not stopped).
    const { marker, journal, first, running } = await firstFlowGone(150, 30);
    const left = journal.copy();
    const seenByFirst = first.ticks();
    expect(seenByFirst.length).toBeLessThan(150);

    const second = flow(running, left);
    await until(() => second.root.ticker.status.stage === "succeeded", "the call's result in the second flow", 60_000);
    expect(readFileSync(marker, "utf8").split("\n").filter(Boolean)).toHaveLength(1);
    expect([...seenByFirst, ...second.ticks()]).toEqual(expectedTicks(150));
    expect(second.root.ticker.ticks).toBe(150);
    await second.engine.stop();
  }, 90_000);

  it("a work its agent no longer has is started again, and its call sent again", async () => {
    const { marker, journal, first, running } = await firstFlowGone(100, 10);
    // The host lost every process: the agent and its works.
    for (const pid of running.workPids()) process.kill(pid, "SIGKILL");
    await running.kill("SIGKILL");
    await running.restart();
    const second = flow(running, journal.copy());
    await until(() => second.root.ticker.status.stage === "succeeded", "the call's result in the second flow", 60_000);
    expect(readFileSync(marker, "utf8").split("\n").filter(Boolean)).toHaveLength(2);
    expect(second.ticks()).toEqual(expectedTicks(100));
    await second.engine.stop();
  }, 90_000);
});
