/** The agent serves its host's storage root over HTTP, behind its token: what a controller syncs a Path through. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localRoot, sync } from "@lit-app/storage";
import { httpRoot } from "@lit-app/storage/http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORAGE_ROUTE } from "./storage-module.ts";
import { startTestAgent, type TestAgent } from "./test-support/test-agent.ts";

describe("the agent's storage", () => {
  let agent: TestAgent;
  let here: string;
  beforeAll(async () => {
    agent = await startTestAgent();
    here = mkdtempSync(join(tmpdir(), "lit-here-"));
  }, 60_000);
  afterAll(async () => {
    await agent?.cleanup();
    rmSync(here, { recursive: true, force: true });
  });

  const base = () => `http://127.0.0.1:${agent.port}${STORAGE_ROUTE}`;

  it("takes a folder synced to it, whole, into <lit home>/storage, and sends nothing the second time", async () => {
    mkdirSync(join(here, "model"), { recursive: true });
    writeFileSync(join(here, "model", "weights.bin"), Buffer.alloc(300_000, 7));
    writeFileSync(join(here, "model", "config.json"), '{"layers":12}');
    const remote = httpRoot({ url: base(), token: agent.token });
    const first = await sync(localRoot(here), remote, "model");
    expect(first.bytesSent).toBeGreaterThanOrEqual(300_000);
    expect(readFileSync(join(agent.home, "storage", "model", "config.json"), "utf8")).toBe('{"layers":12}');
    expect(readFileSync(join(agent.home, "storage", "model", "weights.bin")).equals(Buffer.alloc(300_000, 7))).toBe(true);
    const again = await sync(localRoot(here), remote, "model");
    expect(again.bytesSent).toBe(0);
  });

  it("answers no request without the token", async () => {
    const response = await fetch(`${base()}/manifest?path=model`);
    expect(response.status).toBe(401);
    const wrong = httpRoot({ url: base(), token: "x".repeat(43) });
    await expect(wrong.missing(["0".repeat(64)])).rejects.toThrow(/401|token/i);
  });
});
