import { spawn } from "node:child_process";
import { once } from "node:events";
import process from "node:process";
import { describe, expect, it } from "vitest";
import { processAlive, processStartTime } from "./process-alive.ts";

describe("processAlive", () => {
  it("is true for a running process, false once it has ended", async () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    await once(child, "spawn");
    expect(processAlive(child.pid!)).toBe(true);
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(processAlive(child.pid!)).toBe(false);
  });

  it.runIf(process.platform === "linux")("takes a pid whose recorded start time differs for another program (a reused pid)", () => {
    const start = processStartTime(process.pid)!;
    expect(start).toMatch(/^\d+$/);
    expect(processAlive(process.pid, start)).toBe(true);
    expect(processAlive(process.pid, String(Number(start) + 1))).toBe(false);
  });

  it("refuses pids that name no single process", () => {
    expect(processAlive(0)).toBe(false);
    expect(processAlive(-1)).toBe(false);
    expect(processAlive(Number.NaN)).toBe(false);
  });
});
