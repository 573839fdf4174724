/**
 * The apps module in a real agent: a deployed flow runs as its own process,
 * is started again when it dies, is found again by a restarted agent, and
 * ends with `DELETE`.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processAlive } from "@lit-app/runtime";
import { startTestAgent, type TestAgent } from "../test-support/test-agent.ts";

// A flow program stand-in: reports a server port, says hello in its log, and runs until signalled.
const FLOW = `
import { writeFileSync, renameSync } from "node:fs";
const dir = process.env.LIT_DEPLOYED_DIR;
writeFileSync(dir + "/server.json.tmp", JSON.stringify({ pid: process.pid, port: 40000 + (process.pid % 1000) }));
renameSync(dir + "/server.json.tmp", dir + "/server.json");
console.log("flow " + process.pid + " in " + process.cwd() + " greets " + process.env.GREETING);
process.on("SIGTERM", () => { console.log("flow " + process.pid + " stopping"); process.exit(0); });
setInterval(() => {}, 1000);
`;

// One that listens only after 400 ms, and one that ends at once.
const SLOW_FLOW = FLOW.replace(/^writeFileSync.*\n^renameSync.*$/m, (write) => `setTimeout(() => { ${write.replace("\n", " ")} }, 400);`);
const FAILING_FLOW = `console.log("no"); process.exit(3);`;

let agent: TestAgent;

/** The first value `check` gives that is not undefined, looking every 50 ms for 20 s. */
async function until<T>(check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
let hash: string;
const bundles = { slow: "", failing: "" };

/** Puts `code` in the agent's bundles; its hash. */
function addBundle(code: string): string {
  const bytes = Buffer.from(code);
  const name = createHash("sha256").update(bytes).digest("hex");
  writeFileSync(join(agent.home, "bundles", `${name}.mjs`), bytes);
  return name;
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${agent.port}${path}`, {
    method,
    headers: { authorization: `Bearer ${agent.token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

const spec = (name: string) => ({
  name,
  bundle: hash,
  folder: "storage/folders/demo",
  rules: ["here"],
  hosts: [{ alias: "here", via: "local", appModule: "file:///nowhere/app.ts", program: `${"0".repeat(64)}.mjs`, storageDir: join(agent.home, "storage/apps/demo") }],
  env: { GREETING: "hello" },
  options: { restart: true, port: 0 },
});

// Running, not a zombie (a flow whose agent was killed is reaped by init, a moment later).
const alive = (pid: number) => processAlive(pid);

beforeAll(async () => {
  agent = await startTestAgent();
  const code = Buffer.from(FLOW);
  hash = createHash("sha256").update(code).digest("hex");
  mkdirSync(join(agent.home, "bundles"), { recursive: true });
  writeFileSync(join(agent.home, "bundles", `${hash}.mjs`), code);
  mkdirSync(join(agent.home, "storage/folders/demo"), { recursive: true });
  bundles.slow = addBundle(SLOW_FLOW);
  bundles.failing = addBundle(FAILING_FLOW);
}, 30_000);

afterAll(async () => {
  for (const app of (await call("GET", "/v1/apps").catch(() => ({ body: { apps: [] } }))).body.apps) await call("DELETE", `/v1/apps/${app.name}?purge=1`);
  await agent?.cleanup();
});

describe("apps module", () => {
  it("refuses a name that is not an app name, and a bundle the host lacks", async () => {
    const bad = await call("POST", "/v1/apps", { ...spec("demo"), name: "../etc" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/field "name"/);
    const missing = await call("POST", "/v1/apps", { ...spec("demo"), bundle: "f".repeat(64) });
    expect(missing.status).toBe(409);
    expect(missing.body.error.message).toMatch(/bundle is not on this host/);
    expect((await call("GET", "/v1/apps/nope")).status).toBe(404);
  });

  it("refuses a storage folder outside the agent's storage of apps (a purge removes that folder)", async () => {
    const victim = join(agent.home, "..", "keep-me");
    mkdirSync(victim, { recursive: true });
    for (const storageDir of [victim, join(agent.home, "storage/apps/../../.."), "/", join(agent.home, "storage/apps")]) {
      const res = await call("POST", "/v1/apps", { ...spec("demo"), hosts: [{ ...spec("demo").hosts[0], storageDir }] });
      expect(res.status, storageDir).toBe(409);
      expect(res.body.error.message).toMatch(/is not a folder of .*storage\/apps/);
    }
    expect(existsSync(victim)).toBe(true);
    expect((await call("GET", "/v1/apps/demo")).status).toBe(404);
  });

  it("runs the flow, restarts it when killed, is found by a restarted agent, and stops it", async () => {
    const deployed = await call("POST", "/v1/apps", spec("demo"));
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
    const first = deployed.body.pid as number;
    expect(first).toBeGreaterThan(0);
    const running = await until(async () => {
      const s = (await call("GET", "/v1/apps/demo")).body;
      return s.serverPort ? s : undefined;
    });
    expect(running).toMatchObject({ name: "demo", stage: "running", pid: first, restarts: 0, serverPort: 40000 + (first % 1000), hosts: ["here"] });
    const log = join(agent.home, "deployed/demo/flow.log");
    await until(() => readFileSync(log, "utf8").includes("greets hello") || undefined);
    expect(readFileSync(log, "utf8")).toContain(`flow ${first} in ${join(agent.home, "storage/folders/demo")} greets hello`);

    process.kill(first, "SIGKILL");
    const again = await until(async () => {
      const s = (await call("GET", "/v1/apps/demo")).body;
      return s.pid && s.pid !== first && s.stage === "running" ? s : undefined;
    });
    expect(again.restarts).toBe(1);

    await agent.kill("SIGKILL");
    expect(alive(again.pid)).toBe(true);
    await agent.restart();
    const found = (await call("GET", "/v1/apps")).body.apps;
    expect(found).toEqual([expect.objectContaining({ name: "demo", pid: again.pid, stage: "running", restarts: 1 })]);

    const stopped = await call("DELETE", "/v1/apps/demo");
    expect(stopped.status).toBe(200);
    expect(alive(again.pid)).toBe(false);
    expect((await call("GET", "/v1/apps/demo")).body).toMatchObject({ stage: "stopped", pid: null });
    expect(readFileSync(log, "utf8")).toContain(`flow ${again.pid} stopping`);

    // Deployed again under the name, twice at once: one process, the last one's; a new deployment starts
    // without the last one's journal.
    mkdirSync(join(agent.home, "deployed/demo/journal"), { recursive: true });
    writeFileSync(join(agent.home, "deployed/demo/journal/snapshot.json"), "{}");
    const [one, two] = await Promise.all([call("POST", "/v1/apps", spec("demo")), call("POST", "/v1/apps", spec("demo"))]);
    expect([one.status, two.status]).toEqual([201, 201]);
    const live = [one.body, two.body].filter((b) => alive(b.pid));
    expect(live).toHaveLength(1);
    const redeployed = live[0];
    expect((await call("GET", "/v1/apps/demo")).body.pid).toBe(redeployed.pid);
    expect(redeployed.pid).not.toBe(again.pid);
    expect(existsSync(join(agent.home, "deployed/demo/journal"))).toBe(false);
    expect((await call("DELETE", "/v1/apps/demo?purge=1")).status).toBe(200);
    expect(alive(redeployed.pid)).toBe(false);
    expect(existsSync(join(agent.home, "deployed/demo"))).toBe(false);
    expect((await call("GET", "/v1/apps/demo")).status).toBe(404);
  }, 60_000);

  it("GET ?wait=running answers once the flow's server listens, or at once when the flow ends as it starts", async () => {
    expect(SLOW_FLOW).toContain("setTimeout(() => { writeFileSync");
    const deployed = await call("POST", "/v1/apps", { ...spec("slow"), bundle: bundles.slow });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
    expect((await call("GET", "/v1/apps/slow")).body.serverPort).toBe(null);
    const asked = Date.now();
    const running = await call("GET", "/v1/apps/slow?wait=running");
    // One request, answered when the port was written (400 ms after the start), not after the 10 s bound.
    expect(running.body).toMatchObject({ stage: "running", pid: deployed.body.pid, serverPort: 40000 + (deployed.body.pid % 1000) });
    expect(Date.now() - asked).toBeLessThan(5_000);

    const failing = await call("POST", "/v1/apps", { ...spec("failing"), bundle: bundles.failing });
    expect(failing.status).toBe(201);
    const ended = (await call("GET", "/v1/apps/failing?wait=running")).body;
    expect(ended.serverPort).toBe(null);
    expect(ended.restarts > 0 || ended.stage === "restarting" || ended.stage === "failed", JSON.stringify(ended)).toBe(true);

    expect((await call("GET", "/v1/apps/slow?wait=forever")).status).toBe(400);
    expect((await call("GET", "/v1/apps/nope?wait=running")).status).toBe(404);
    for (const name of ["slow", "failing"]) expect((await call("DELETE", `/v1/apps/${name}?purge=1`)).status).toBe(200);
  }, 60_000);
});
