/** A real agent removes what older versions left in its lit home (`apps/<name>`) when it starts, and nothing else. */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestAgent, type TestAgent } from "./test-support/test-agent.ts";

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent();
}, 30_000);
afterAll(async () => agent?.cleanup());

it("removes ~/.lit/apps left by an older version when it starts, and keeps its storage", async () => {
  const old = join(agent.home, "apps", "my-app-0123456789ab", "root.train");
  mkdirSync(old, { recursive: true });
  writeFileSync(join(old, "model.pt"), "old");
  const kept = join(agent.home, "storage", "apps", "my-app-0123456789ab", "root.train");
  mkdirSync(kept, { recursive: true });
  writeFileSync(join(kept, "model.pt"), "current");
  await agent.kill();
  await agent.restart();
  const end = Date.now() + 10_000;
  while (existsSync(join(agent.home, "apps")) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(join(agent.home, "apps"))).toBe(false);
  expect(existsSync(join(kept, "model.pt"))).toBe(true);
}, 30_000);
