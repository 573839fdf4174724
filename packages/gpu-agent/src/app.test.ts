// The app's contract for the modules mounted on it: auth first, JSON errors, validated bodies under a limit, the host report.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "./test-support/temp-dirs.ts";
import { z } from "zod";
import { currentRuntime } from "./agent-info.ts";
import { createAgentApp, type AgentMount } from "./app.ts";
import { GpuPool } from "./gpu/gpu-pool.ts";
import { AgentHttpError, readJsonBody } from "./http-errors.ts";
import type { WorkTable } from "./work-table.ts";

const TOKEN = "t0ken-t0ken-t0ken-t0ken-t0ken-t0ken-t0ken";
const auth = { authorization: `Bearer ${TOKEN}` };

async function makeApp(mount: AgentMount[] = [], workTable?: WorkTable) {
  const home = tempDir("lit-agent-app-");
  const gpus = [
    { uuid: "GPU-a", name: "A100", memoryMiB: 81920 },
    { uuid: "GPU-b", name: "A100", memoryMiB: 81920 },
  ];
  const gpuPool = await GpuPool.open({ file: join(home, "gpus.json"), gpus, hostName: "gpu-box" });
  const app = createAgentApp({
    token: TOKEN,
    home,
    hostName: "gpu-box",
    agent: { version: "0.1.0", pid: process.pid, startedAt: new Date().toISOString(), ...currentRuntime() },
    gpuPool,
    inventory: { gpus, source: "host.json" },
    mount,
    ...(workTable === undefined ? {} : { workTable }),
  });
  return { app, gpuPool };
}

const echo: AgentMount = (app) => {
  app.post("/v1/echo", async (c) => c.json(await readJsonBody(c, z.object({ name: z.string().max(20), n: z.number().int() }), { maxBytes: 1024 })));
  app.get("/v1/teapot", () => {
    throw new AgentHttpError(409, "E_BUSY", "the work is busy; try again when it is idle.");
  });
  app.get("/v1/broken", () => {
    throw new Error("disk on fire");
  });
};

const post = (body: string, headers: Record<string, string> = {}) => ({ method: "POST", body, headers: { ...auth, "content-type": "application/json", ...headers } });

afterAll(removeTempDirs);

describe("createAgentApp", () => {
  it("mounts a module's routes behind the token", async () => {
    const { app } = await makeApp([echo]);
    expect((await app.request("/v1/echo", { method: "POST", body: "{}" })).status).toBe(401);
    const ok = await app.request("/v1/echo", post(JSON.stringify({ name: "a", n: 1 })));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ name: "a", n: 1 });
  });

  it("answers a body that is too large, not JSON, of the wrong shape or type, with a JSON error naming the problem", async () => {
    const { app } = await makeApp([echo]);
    const big = await app.request("/v1/echo", post(JSON.stringify({ name: "a".repeat(2000), n: 1 })));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: "E_BODY_TOO_LARGE" } });
    const bad = await app.request("/v1/echo", post("{nope"));
    expect(await bad.json()).toMatchObject({ error: { code: "E_BAD_JSON" } });
    const wrong = await app.request("/v1/echo", post(JSON.stringify({ name: "a", n: 1.5 })));
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as any).error).toMatchObject({ code: "E_INVALID_BODY", message: expect.stringContaining('field "n"') });
    const type = await app.request("/v1/echo", post("{}", { "content-type": "text/plain" }));
    expect(type.status).toBe(415);
  });

  it("turns a module's AgentHttpError into its status and code, and anything else into 500 E_INTERNAL", async () => {
    const { app } = await makeApp([echo]);
    const busy = await app.request("/v1/teapot", { headers: auth });
    expect(busy.status).toBe(409);
    expect(await busy.json()).toEqual({ error: { code: "E_BUSY", message: "the work is busy; try again when it is idle." } });
    const broken = await app.request("/v1/broken", { headers: auth });
    expect(broken.status).toBe(500);
    expect(((await broken.json()) as any).error).toMatchObject({ code: "E_INTERNAL", message: expect.stringContaining("disk on fire") });
  });

  it("reports which work holds each GPU, who waits, and the works the work table lists", async () => {
    const table: WorkTable = { list: () => [{ name: "root.train", pid: 4242, stage: "running", gpus: ["GPU-a"] }] };
    const { app, gpuPool } = await makeApp([], table);
    await gpuPool.acquire("root.train", 1);
    await gpuPool.acquire("root.other", 1);
    void gpuPool.acquire("root.third", 1);
    const report = (await (await app.request("/v1/host", { headers: auth })).json()) as any;
    expect(report.gpus.map((g: { uuid: string; work: string | null }) => [g.uuid, g.work])).toEqual([
      ["GPU-a", "root.train"],
      ["GPU-b", "root.other"],
    ]);
    expect(report.gpuWaiting).toEqual([{ work: "root.third", count: 1, reason: "waiting for a GPU on gpu-box" }]);
    expect(report.works).toEqual(table.list());
  });
});
