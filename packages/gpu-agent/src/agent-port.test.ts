/**
 * An agent started again on the same lit home listens on the port it had
 * before when that port is free (a deployed app's key on the other hosts
 * forwards to that port only), and on another one when it is taken.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "./agent.ts";

const home = mkdtempSync(join(tmpdir(), "lit-agent-port-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function start(): Promise<RunningAgent> {
  const agent = await startAgent({ home, port: 0, modules: [] });
  if (agent.status !== "started") throw new Error("an agent was already running");
  return agent;
}

describe("the agent's port", () => {
  it("is the same after a restart while it is free, and another one when it is taken", async () => {
    const first = await start();
    const port = first.info.port;
    expect(readFileSync(join(home, "agent", "port"), "utf8").trim()).toBe(String(port));
    await first.close();

    const second = await start();
    expect(second.info.port).toBe(port);
    await second.close();

    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
    try {
      const third = await start();
      expect(third.info.port).not.toBe(port);
      expect(readFileSync(join(home, "agent", "port"), "utf8").trim()).toBe(String(third.info.port));
      await third.close();
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
