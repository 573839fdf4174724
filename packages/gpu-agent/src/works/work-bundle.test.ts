/**
 * An app's work program built as one bundle (the app inside, with the
 * framework once), placed in the agent's program folder and named by the
 * executor: the works' processes run it, on Bun and on Node.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startTestAgent, type TestAgent } from "../test-support/test-agent.ts";
import { expectedTicks, startRemoteApp, type RemoteApp } from "../test-support/remote-app.ts";
import { buildWorkBundle } from "./work-bundle.ts";
import { until } from "../test-support/until.ts";

const APP = fileURLToPath(new URL("../../test/fixtures/fault-app.ts", import.meta.url));

describe("the app's work bundle", () => {
  let agent: TestAgent | undefined;
  let app: RemoteApp | undefined;
  afterEach(async () => {
    await app?.stop();
    await agent?.cleanup();
    app = agent = undefined;
  });

  it("is one ES module named by its hash, the same for the same app", async () => {
    const [a, b] = [await buildWorkBundle(APP), await buildWorkBundle(APP)];
    expect(a.fileName).toMatch(/^[0-9a-f]{64}\.mjs$/);
    expect(b.hash).toBe(a.hash);
    const text = new TextDecoder().decode(a.code);
    // The app and the work process in one file, with no import of the framework's packages left.
    expect(text).toMatch(/Ticker = class extends LightningWork/);
    expect(text).not.toMatch(/from\s+"@lit-app\//);
  }, 60_000);

  it("runs the works when the executor names it", async () => {
    const bundle = await buildWorkBundle(APP);
    agent = await startTestAgent();
    const programs = join(agent.home, "agent", "programs");
    mkdirSync(programs, { recursive: true });
    writeFileSync(join(programs, bundle.fileName), bundle.code);
    const a = agent;
    app = await startRemoteApp({ host: "loopback", connect: async () => ({ url: a.url }), token: a.token, program: bundle.fileName });
    const r = app;
    r.go(20, 1);
    await until(() => r.root.ticker.status.stage === "succeeded", "the call's result");
    expect(r.ticks()).toEqual(expectedTicks(20));
    const [pid] = a.workPids();
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toContain(join(programs, bundle.fileName));
  }, 60_000);

  it("is refused when the name is not a file name in the program folder", async () => {
    agent = await startTestAgent();
    const a = agent;
    app = await startRemoteApp({ host: "loopback", connect: async () => ({ url: a.url }), token: a.token, program: "missing.mjs" });
    const r = app;
    r.go(1, 1);
    await until(() => r.root.ticker.status.stage === "failed", "the work failed");
    expect(r.root.ticker.status.message).toMatch(/the program missing\.mjs is not on this host/);
  }, 60_000);
});
