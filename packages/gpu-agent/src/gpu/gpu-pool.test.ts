import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CloudCompute } from "@lit-app/core";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../test-support/temp-dirs.ts";
import { GpuRequestError, GpuStateError } from "../errors.ts";
import type { Gpu } from "./gpu.ts";
import { gpuCount } from "./gpu-count.ts";
import { GpuPool } from "./gpu-pool.ts";

const gpus = (n: number): Gpu[] => Array.from({ length: n }, (_, i) => ({ index: i, uuid: `GPU-${i}aaa-bbbb`, name: "A100", memoryMiB: 81920 }));
const stateFile = (): string => join(tempDir("lit-gpu-pool-"), "gpus.json");
afterAll(removeTempDirs);
const open = (file: string, n = 2) => GpuPool.open({ file, gpus: gpus(n), hostName: "gpu-box" });

describe("gpuCount", () => {
  it("takes a GPU for gpu* computes, n for gpus: n, none for CPUs", () => {
    expect(gpuCount(new CloudCompute("gpu"))).toBe(1);
    expect(gpuCount(new CloudCompute("gpu-fast"))).toBe(1);
    expect(gpuCount(new CloudCompute("gpu-fast-multi"))).toBe(4);
    expect(gpuCount(new CloudCompute("gpu", { gpus: 2 }))).toBe(2);
    expect(gpuCount(new CloudCompute("cpu"))).toBe(0);
    expect(gpuCount(new CloudCompute("default"))).toBe(0);
    expect(gpuCount(new CloudCompute("gpu").toJSON())).toBe(1);
    expect(gpuCount({ name: "gpu" })).toBe(1);
    expect(gpuCount(null)).toBe(0);
  });
});

describe("GpuPool", () => {
  it("gives two 1-GPU works on a 2-GPU host different GPUs, named in CUDA_VISIBLE_DEVICES", async () => {
    const pool = await open(stateFile());
    const a = await pool.acquire("root.a", 1);
    const b = await pool.acquire("root.b", 1);
    expect(a.gpus).toHaveLength(1);
    expect(b.gpus).toHaveLength(1);
    expect(a.gpus[0]!.uuid).not.toBe(b.gpus[0]!.uuid);
    expect(a.env.CUDA_VISIBLE_DEVICES).toBe(a.gpus[0]!.uuid);
    expect(b.env.CUDA_VISIBLE_DEVICES).toBe(b.gpus[0]!.uuid);
    expect(pool.holder(a.gpus[0]!.uuid)).toBe("root.a");
  });

  it("gives a work asking for n GPUs n of them, and a CPU work none (CUDA_VISIBLE_DEVICES empty)", async () => {
    const pool = await open(stateFile(), 4);
    const multi = await pool.acquire("root.multi", 3);
    expect(multi.env.CUDA_VISIBLE_DEVICES.split(",")).toHaveLength(3);
    expect(await pool.acquire("root.cpu", 0)).toMatchObject({ gpus: [], env: { CUDA_VISIBLE_DEVICES: "" } });
  });

  it("makes a work that finds no free GPU wait with a reason, first come first served, until one is released", async () => {
    const pool = await open(stateFile());
    await pool.acquire("root.a", 1);
    await pool.acquire("root.b", 1);
    const reasons: string[] = [];
    let cGot = false;
    let dGot = false;
    const c = pool.acquire("root.c", 1, { onWait: (reason) => reasons.push(reason) }).then((x) => ((cGot = true), x));
    const d = pool.acquire("root.d", 1).then((x) => ((dGot = true), x));
    expect(reasons).toEqual(["waiting for a GPU on gpu-box"]);
    expect(pool.waiting().map((w) => w.work)).toEqual(["root.c", "root.d"]);
    await new Promise((r) => setTimeout(r, 50));
    expect([cGot, dGot]).toEqual([false, false]);
    const freed = pool.assignment("root.b")!.gpus[0]!.uuid;
    await pool.release("root.b");
    expect((await c).gpus[0]!.uuid).toBe(freed);
    expect(dGot).toBe(false);
    await pool.release("root.a");
    expect((await d).gpus).toHaveLength(1);
    expect(pool.waiting()).toEqual([]);
  });

  it("keeps a waiting 2-GPU work ahead of a later 1-GPU work", async () => {
    const pool = await open(stateFile());
    await pool.acquire("root.a", 1);
    const reasons: string[] = [];
    const big = pool.acquire("root.big", 2, { onWait: (r) => reasons.push(r) });
    let smallGot = false;
    const small = pool.acquire("root.small", 1).then((x) => ((smallGot = true), x));
    await new Promise((r) => setTimeout(r, 30));
    expect(reasons).toEqual(["waiting for 2 GPUs on gpu-box"]);
    expect(smallGot).toBe(false);
    await pool.release("root.a");
    expect((await big).gpus).toHaveLength(2);
    await pool.release("root.big");
    expect((await small).gpus).toHaveLength(1);
  });

  it("stops waiting when the work's signal aborts", async () => {
    const pool = await open(stateFile(), 1);
    await pool.acquire("root.a", 1);
    const controller = new AbortController();
    const waiting = pool.acquire("root.b", 1, { signal: controller.signal });
    controller.abort(new Error("work stopped"));
    await expect(waiting).rejects.toThrow("work stopped");
    expect(pool.waiting()).toEqual([]);
  });

  it("refuses more GPUs than the host has, instead of waiting forever", async () => {
    const pool = await open(stateFile());
    await expect(pool.acquire("root.big", 3)).rejects.toThrow(GpuRequestError);
    await expect(pool.acquire("root.big", 3)).rejects.toThrow(/root\.big asks for 3 GPUs but gpu-box has 2/);
  });

  it("keeps assignments across a restart (persisted under agent/), and a work gets back the GPUs it held", async () => {
    const file = stateFile();
    const before = await open(file);
    const a = await before.acquire("root.a", 1);
    const b = await before.acquire("root.b", 1);
    expect(JSON.parse(readFileSync(file, "utf8")).works).toEqual({ "root.a": [a.gpus[0]!.uuid], "root.b": [b.gpus[0]!.uuid] });

    const after = await open(file);
    expect(after.assignment("root.a")!.gpus).toEqual(a.gpus);
    expect((await after.acquire("root.b", 1)).gpus).toEqual(b.gpus);
    const reasons: string[] = [];
    const c = after.acquire("root.c", 1, { onWait: (r) => reasons.push(r) });
    expect(reasons).toEqual(["waiting for a GPU on gpu-box"]);
    await after.release("root.a");
    expect((await c).gpus).toEqual(a.gpus);
    const again = await open(file);
    expect(again.holder(a.gpus[0]!.uuid)).toBe("root.c");
    expect(again.assignment("root.a")).toBeNull();
  });

  it("drops persisted GPUs the host no longer has, and refuses a state file that is not an assignment list", async () => {
    const file = stateFile();
    writeFileSync(file, JSON.stringify({ version: 1, works: { "root.a": ["GPU-gone"], "root.b": ["GPU-1aaa-bbbb"] } }));
    const pool = await open(file);
    expect(pool.assignment("root.a")).toBeNull();
    expect(pool.holder("GPU-1aaa-bbbb")).toBe("root.b");
    writeFileSync(file, "{not json");
    await expect(open(file)).rejects.toThrow(GpuStateError);
    await expect(open(file)).rejects.toThrow(file);
  });
});
