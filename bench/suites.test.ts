/**
 * Benchmarks cannot rot: every registered suite runs once at the tiny size
 * and must print a finite figure beside a finite baseline in every row. The
 * figures themselves mean nothing at this size and are not checked.
 */
import { describe, expect, it } from "vitest";
import { printTable, rowProblems } from "./harness.ts";
import { SUITES } from "./suites.ts";
import { whyNoRemoteBench } from "./fixtures/remote/session.ts";

// The remote suites need the test hosts (root, sshd): skipped without them, except on CI.
const noRemote = process.env.CI === "true" ? undefined : whyNoRemoteBench();

describe("every bench suite at the tiny size", () => {
  it("registers suites with distinct ids", () => {
    const ids = SUITES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(0);
  });

  for (const suite of SUITES) {
    it.skipIf(suite.id.startsWith("remote-") && noRemote !== undefined)(`${suite.id} runs and prints finite figures beside finite baselines`, async () => {
      const rows = await suite.run({ tiny: true });
      printTable(`${suite.title} [tiny]`, rows);
      expect(rowProblems(rows)).toEqual([]);
    });
  }
});
