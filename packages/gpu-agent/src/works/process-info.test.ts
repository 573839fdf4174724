import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { processAlive } from "@lit-app/runtime";
import { killGroup } from "./process-info.ts";

describe("killGroup", () => {
  it("ends the group a work's process leads, and what it started", async () => {
    const leader = spawn("sh", ["-c", "sleep 300 & wait"], { detached: true, stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 100));
    expect(killGroup(leader.pid!)).toBe(true);
    const [, signal] = await once(leader, "exit");
    expect(signal).toBe("SIGKILL");
  });

  it("leaves alone a process whose pid is not a group's (a reused pid): the user's other processes are not hit", async () => {
    // A process in this test's own group: its pid leads no group, as a work's pid taken by another process after the work ended.
    const other = spawn("sleep", ["300"], { stdio: "ignore" });
    try {
      await new Promise((r) => setTimeout(r, 50));
      expect(killGroup(other.pid!)).toBe(false);
      await new Promise((r) => setTimeout(r, 100));
      expect(processAlive(other.pid!)).toBe(true);
    } finally {
      other.kill("SIGKILL");
    }
  });

  it("refuses the pids that mean 'every process' or 'my group' to kill()", () => {
    expect(killGroup(0)).toBe(false);
    expect(killGroup(1)).toBe(false);
    expect(killGroup(-5)).toBe(false);
  });
});
