/**
 * Drive requests through a real agent: a work's side (agentDrives, as a work
 * process on the host uses it) posts operations, a controller takes them with
 * the long poll and answers; the work gets the answer, or the error class the
 * authority threw. And the bounds: what no controller takes fails, naming the host.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalStorage } from "@lit-app/storage/local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DriveConflictError, DriveNotFoundError } from "@lit-app/core";
import { startTestAgent, type TestAgent } from "../test-support/test-agent.ts";
import { DriveQueue } from "./drive-queue.ts";
import { agentDrives } from "./work-drives.ts";

let agent: TestAgent;
beforeAll(async () => {
  agent = await startTestAgent();
}, 30_000);
afterAll(async () => agent?.cleanup());

const drive = { id: "shared", allowDuplicates: false };
/** Where a work's storage is on the host: the app `name`'s folder in the agent's storage root, its own Drives there. */
const where = (name = "my-app") => {
  const storageDir = join(agent.home, "storage", "apps", name);
  return { appModule: "file:///app/app.ts", appName: "app", storageDir, local: () => new LocalStorage(storageDir) };
};
const auth = () => ({ authorization: `Bearer ${agent.token}` });

/** The controller's side: takes one batch of the app's requests and answers each with `answer`. */
async function serveOnce(answer: (op: any) => unknown, waitMs = 5000): Promise<any[]> {
  const res = await fetch(`http://127.0.0.1:${agent.port}/v1/drives/next?app=apps/my-app&waitMs=${waitMs}`, { headers: auth() });
  const { requests } = (await res.json()) as { requests: { id: string; operation: any }[] };
  for (const { id, operation } of requests) {
    await fetch(`http://127.0.0.1:${agent.port}/v1/drives/reply`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ id, outcome: answer(operation) }),
    });
  }
  return requests.map((r) => r.operation);
}

describe("the agent's drives module", () => {
  it("hands a work's operations to the controller and its answers back", async () => {
    // The controller says it serves the app's Drives (lit run --host does so before its works start).
    expect(await serveOnce(() => ({ ok: true }), 0)).toEqual([]);
    const port = agentDrives(where())!;
    expect(port).toBeDefined();
    const listed = port.driveList(drive, "data/", undefined);
    expect(await serveOnce(() => ({ ok: true, names: ["data/a.txt", "data/b.txt"] }))).toEqual([{ op: "list", drive, prefix: "data/" }]);
    expect(await listed).toEqual(["data/a.txt", "data/b.txt"]);

    const put = port.drivePut(drive, "root.reader", "claimed.txt");
    const conflict = new DriveConflictError("lit://shared", "claimed.txt", "root.writer", "root.reader");
    await serveOnce(() => ({ ok: false, error: { name: conflict.name, code: conflict.code, message: conflict.message, drive: "lit://shared", path: "claimed.txt", owner: "root.writer" } }));
    const error = await put.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriveConflictError);
    expect(error).toMatchObject({ code: "E_DRIVE_CONFLICT", owner: "root.writer", message: conflict.message });

    const got = port.driveGet(drive, "root.reader", "gone.txt", "root.writer");
    expect(await serveOnce(() => ({ ok: false, error: { name: "DriveNotFoundError", code: "E_DRIVE_NOT_FOUND", message: "root.writer did not put it there", drive: "lit://shared", path: "gone.txt" } }))).toEqual([
      { op: "get", drive, work: "root.reader", path: "gone.txt", from: "root.writer" },
    ]);
    await expect(got).rejects.toBeInstanceOf(DriveNotFoundError);
  }, 30_000);

  it("keeps an app's Drives on the host when no controller serves them (a deployed app), and remembers a served one across restarts", async () => {
    const port = agentDrives(where("deployed-app"))!;
    const root = join(where("deployed-app").storageDir, "root.w");
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, "a.txt"), "kept here");
    await port.drivePut(drive, "root.w", "a.txt");
    expect(readFileSync(join(where("deployed-app").storageDir, ".drives", "shared", "root.w", "a.txt"), "utf8")).toBe("kept here");
    expect(await port.driveList(drive, "", undefined)).toEqual(["a.txt"]);
    // my-app was served (first test): after a restart its requests still wait for the controller.
    await new Promise((r) => setTimeout(r, 100));
    expect(JSON.parse(readFileSync(join(agent.home, "agent", "drives.json"), "utf8"))).toHaveProperty(["apps/my-app"]);
    await agent.kill();
    await agent.restart();
    const listed = agentDrives(where())!.driveList(drive, "", undefined);
    expect(await serveOnce(() => ({ ok: true, names: ["from the controller"] }))).toHaveLength(1);
    expect(await listed).toEqual(["from the controller"]);
  }, 30_000);

  it("keeps a work's Drives local when its storage folder is not an agent's", () => {
    expect(agentDrives({ ...where(), storageDir: "/tmp/elsewhere/app" })).toBeUndefined();
    expect(agentDrives({ ...where(), storageDir: undefined })).toBeUndefined();
  });

  it("refuses a request without the token, and one whose operation is malformed", async () => {
    const body = JSON.stringify({ app: "apps/my-app", operation: { op: "put", drive, work: "root.a", path: "" } });
    const anonymous = await fetch(`http://127.0.0.1:${agent.port}/v1/drives/request`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(anonymous.status).toBe(401);
    const bad = await fetch(`http://127.0.0.1:${agent.port}/v1/drives/request`, { method: "POST", headers: { ...auth(), "content-type": "application/json" }, body });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.message).toMatch(/operation\.path/);
    const escape = await fetch(`http://127.0.0.1:${agent.port}/v1/drives/next?app=../etc`, { headers: auth() });
    expect(escape.status).toBe(400);
  });
});

describe("DriveQueue", () => {
  it("fails a request no controller takes in time, naming the host", async () => {
    const queue = new DriveQueue({ hostName: "gpu-box", takeMs: 50, served: { "apps/a": Date.now() } });
    const outcome = await queue.request("apps/a", { op: "delete", drive, work: "root.w", path: "x" });
    expect(outcome).toMatchObject({ ok: false, error: { code: "E_DRIVE_NO_AUTHORITY" } });
    expect(!outcome.ok && outcome.error.message).toMatch(/gpu-box/);
    expect(await queue.take("apps/a", 0)).toEqual([]);
  });

  it("gives each app its own requests, and an answer only once", async () => {
    const queue = new DriveQueue({ hostName: "h", takeMs: 5_000, served: { "apps/a": Date.now(), "apps/b": Date.now() } });
    const a = queue.request("apps/a", { op: "delete", drive, work: "root.a", path: "x" });
    const b = queue.request("apps/b", { op: "delete", drive, work: "root.b", path: "y" });
    const [taken] = await queue.take("apps/b", 1_000);
    expect(taken?.operation).toMatchObject({ work: "root.b" });
    expect(queue.answer(taken!.id, { ok: true })).toBe(true);
    expect(queue.answer(taken!.id, { ok: true })).toBe(false);
    expect(await b).toEqual({ ok: true });
    queue.close();
    expect(await a).toMatchObject({ ok: false, error: { code: "E_DRIVE_NO_AUTHORITY" } });
  });

  it("wakes a waiting poll when a request comes", async () => {
    const queue = new DriveQueue({ hostName: "h", served: { "apps/a": Date.now() } });
    const started = Date.now();
    const polled = queue.take("apps/a", 5_000);
    setTimeout(() => void queue.request("apps/a", { op: "list", drive, prefix: "" }), 50);
    expect(await polled).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000);
    queue.close();
  });

  it("answers E_DRIVE_LOCAL for an app no controller polled within servedMs", async () => {
    const queue = new DriveQueue({ hostName: "h", servedMs: 50, served: { "apps/old": Date.now() - 1000 } });
    expect(await queue.request("apps/old", { op: "list", drive, prefix: "" })).toMatchObject({ ok: false, error: { code: "E_DRIVE_LOCAL" } });
    await queue.take("apps/old", 0);
    const pending = queue.request("apps/old", { op: "list", drive, prefix: "" });
    expect(await queue.take("apps/old", 0)).toHaveLength(1);
    queue.close();
    expect(await pending).toMatchObject({ ok: false, error: { code: "E_DRIVE_NO_AUTHORITY" } });
  });
});
