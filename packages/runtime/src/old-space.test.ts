import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { oldSpaceArgs, raiseOldSpaceOfNextThreads } from "./old-space.ts";

const THREADS = join(dirname(fileURLToPath(import.meta.url)), "test-support", "old-space-threads.ts");

/** Runs the two churning threads in a process of its own; `nodeArgs` are given to node. */
function threads(nodeArgs: string[] = []): { raised: number; after: number } {
  const out = execFileSync(process.execPath, [...nodeArgs, "--import", "tsx", THREADS, "128"], { encoding: "utf8", timeout: 60_000 });
  return JSON.parse(out) as { raised: number; after: number };
}

describe("raiseOldSpaceOfNextThreads", () => {
  it("lets the next thread keep 20 MiB of objects without a full collection; a thread started after is back to V8's default", () => {
    const { raised, after } = threads();
    expect(raised).toBe(0);
    expect(after).toBeGreaterThan(0);
  });

  it("leaves a limit chosen on the command line alone", () => {
    const { raised } = threads(["--initial-old-space-size=2"]);
    expect(raised).toBeGreaterThan(0);
    expect(oldSpaceArgs()).toEqual(["--initial-old-space-size=128"]);
  });

  it("refuses a limit that is not a whole number of MiB", () => {
    expect(() => raiseOldSpaceOfNextThreads(0)).toThrow(/whole number of MiB above 0, not 0/);
    expect(() => raiseOldSpaceOfNextThreads(1.5)).toThrow(/not 1.5/);
  });
});
