/**
 * End to end over real SSH, between network-namespace machines: the
 * controller (on the laptop) puts the agent on a host (gpu-box runs it on
 * Bun, cpu-box on Node), and runs the fault app's work there through an
 * ssh2 forward; the link is cut (`ip link set …
 * down`) mid-run and restored: every log line once, the call run once.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import { useTestHosts } from "@lit-app/test-hosts/vitest";
import { expectedTicks } from "../test-support/remote-app.ts";

const CONTROLLER = fileURLToPath(new URL("../../test/fixtures/ssh-controller.ts", import.meta.url));
const MEASURE = fileURLToPath(new URL("../../test/fixtures/ssh-measure.ts", import.meta.url));
const PACKAGE = fileURLToPath(new URL("../..", import.meta.url));

const th = useTestHosts({ hosts: [{ name: "gpu-box", runtime: "bun" }, { name: "cpu-box", runtime: "node" }] });

/** The controller's JSON lines, as they come. */
function lines(child: ChildProcess): { all: Record<string, any>[]; stderr: () => string } {
  const all: Record<string, any>[] = [];
  let buffer = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        all.push(JSON.parse(line));
      } catch {
        stderr += `${line}\n`;
      }
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return { all, stderr: () => stderr };
}

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("works on a host over SSH", () => {
  it.each(["gpu-box", "cpu-box"])("the link cut mid-run and restored: every log line once, the call run once (%s)", async (name) => {
    const { laptop } = th();
    const host = th().host(name);
    const child = laptop.spawn(process.execPath, ["--import", "tsx", CONTROLLER, name, "400", "10"], { cwd: PACKAGE });
    const out = lines(child);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await until(() => out.all.filter((l) => "log" in l).length >= 50, `the first 50 lines (${out.stderr()})`, 120_000);
      await host.cut();
      await until(() => out.all.some((l) => l.connection === "lost"), "the link reported lost");
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await host.restore();
      const restoredAt = Date.now();
      await until(() => out.all.some((l) => l.connection === "restored"), "the link restored");
      console.log(`${name} (${host.runtime}): link back → channel restored: ${Date.now() - restoredAt} ms`);
      await until(() => out.all.some((l) => "status" in l), "the call's result");
      const status = out.all.find((l) => "status" in l)!.status;
      expect(status).toMatchObject({ stage: "succeeded", ticks: 400 });
      expect(out.all.filter((l) => "log" in l && String(l.log).startsWith("tick ")).map((l) => l.log)).toEqual(expectedTicks(400));
      const marker = out.all.find((l) => "ready" in l)!.ready.marker as string;
      expect(readFileSync(marker, "utf8").split("\n").filter(Boolean)).toHaveLength(1);
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      await host.killAll();
    }
  }, 240_000);

  it("a non-parallel call through the tunnel, beside a bare round trip through it", async () => {
    const child = th().laptop.spawn(process.execPath, ["--import", "tsx", MEASURE, "gpu-box", "200"], { cwd: PACKAGE });
    const out = lines(child);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, out.stderr()).toBe(0);
    const { call, bare } = out.all[0] as { call: number; bare: number };
    console.log(`through an ssh2 forward, median of 200: remote call ${call} µs, bare channel round trip ${bare} µs (${(call / bare).toFixed(1)}×)`);
    // Every call came back (a median exists), in a time a tunnel allows.
    expect(call).toBeGreaterThan(bare);
    expect(call).toBeLessThan(50_000);
    await th().host("gpu-box").killAll();
  }, 240_000);
});
