import { describe, expect, it } from "vitest";
import { EventOrder, newIncarnation } from "./event-order.ts";
import { newCallId } from "./work-core.ts";

describe("EventOrder", () => {
  it("applies events in sequence, drops one delivered twice and those of an older incarnation, and detects a gap", () => {
    const order = new EventOrder("inc-2");
    expect(order.accept("inc-2", 1)).toEqual({ kind: "next" });
    expect(order.accept("inc-2", 2)).toEqual({ kind: "next" });
    expect(order.accept("inc-2", 2)).toEqual({ kind: "duplicate" });
    expect(order.accept("inc-2", 1)).toEqual({ kind: "duplicate" });
    expect(order.accept("inc-1", 3)).toEqual({ kind: "stale", incarnation: "inc-1" });
    expect(order.accept("inc-2", 5)).toEqual({ kind: "gap", expected: 3, seq: 5 });
    expect(order.lastSeq).toBe(5);
    expect(order.accept("inc-2", 4)).toEqual({ kind: "duplicate" });
    order.resynced(9);
    expect(order.accept("inc-2", 9)).toEqual({ kind: "duplicate" });
    expect(order.accept("inc-2", 10)).toEqual({ kind: "next" });
  });

  it("gives each incarnation and each call an id of its own, random per boot of the flow", () => {
    expect(newIncarnation()).not.toBe(newIncarnation());
    const a = newCallId();
    const b = newCallId();
    expect(a).not.toBe(b);
    expect(a.split(".")[0]).toBe(b.split(".")[0]);
    expect(a.split(".")[0]!.length).toBeGreaterThanOrEqual(16);
  });
});
