import { describe, expect, it } from "vitest";
import { WorkRunner, type RunnerReport } from "./work-runner.ts";

describe("WorkRunner", () => {
  it("runs calls one at a time in order, applies each delta first, and sends the call's changes before its result", async () => {
    const seen: string[] = [];
    let release!: () => void;
    const runner = new WorkRunner({
      work: {
        applyOps: (ops) => void seen.push(`ops:${ops.length}`),
        run: async (args) => {
          seen.push(`run:${String(args[0])}`);
          if (args[0] === "a") await new Promise<void>((r) => (release = r));
          if (args[0] === "c") throw Object.assign(new Error("bad c"), { code: "E_C" });
        },
      },
      report: (r: RunnerReport) => void seen.push(`${r.type}:${r.callId}${r.type === "failed" ? `:${r.error.message}:${r.error.code}` : ""}`),
      flush: () => void seen.push("flush"),
    });
    runner.push({ callId: "1", args: ["a"], delta: [{ op: "replace", path: ["x"], value: 1 }] });
    runner.push({ callId: "2", args: ["b"], delta: [] });
    runner.push({ callId: "3", args: ["c"], delta: [] });
    expect(seen).toEqual([]);
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(["started:1", "ops:1", "run:a"]);
    release();
    await runner.idle();
    expect(seen.slice(3)).toEqual(["flush", "succeeded:1", "started:2", "ops:0", "run:b", "flush", "succeeded:2", "started:3", "ops:0", "run:c", "flush", "failed:3:bad c:E_C"]);
    expect(runner.busy).toBe(false);
  });

  it("reports nothing more once stopped, and drops the calls it had queued", async () => {
    const seen: string[] = [];
    let release!: () => void;
    const runner = new WorkRunner({
      work: { applyOps: () => undefined, run: () => new Promise<void>((r) => (release = r)) },
      report: (r) => void seen.push(`${r.type}:${r.callId}`),
    });
    runner.push({ callId: "1", args: [], delta: [] });
    runner.push({ callId: "2", args: [], delta: [] });
    await new Promise((r) => setTimeout(r, 5));
    runner.stop();
    release();
    await runner.idle();
    expect(seen).toEqual(["started:1"]);
  });
});
