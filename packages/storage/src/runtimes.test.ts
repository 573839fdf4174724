import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeTree, runFixture, useTempDirs, writeTree } from "./test-support/helpers.ts";

const tempDir = useTempDirs();
const old = new Date("2020-01-02T03:04:05.006Z");

/** The same sync, run by a separate process under each runtime on the package's source. */
describe.each(["node", "bun", "deno"] as const)("under %s", (runtime) => {
  it("syncs a folder between two roots, then re-syncs it sending nothing", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await writeTree(a, {
      "job/run.sh": { content: "#!/bin/sh\necho ok\n", mode: 0o750, mtime: old },
      "job/data/values.csv": { content: "x,y\n1,2\n".repeat(5000), mtime: old },
      "job/current": { link: "data/values.csv" },
    });
    const first = await runFixture(runtime, ["sync", a, b, "job"]);
    expect(first.find((l) => "runtime" in l)?.runtime).toBe(runtime);
    const report = first.find((l) => "report" in l)?.report as Record<string, number>;
    expect(report).toMatchObject({ files: 2, dirs: 2, symlinks: 1, filesWritten: 2 });
    expect(report.bytesSent).toBe(report.bytesTotal);
    expect(await describeTree(join(b, "job"))).toEqual(await describeTree(join(a, "job")));

    const second = await runFixture(runtime, ["sync", a, b, "job"]);
    expect(second.find((l) => "report" in l)?.report).toMatchObject({ bytesSent: 0, filesWritten: 0 });
  });

  it("serves a work's storage with LocalStorage: a Path, a Payload and a Drive between works", async () => {
    const dir = await tempDir();
    const lines = await runFixture(runtime, ["local", dir]);
    expect(lines.find((l) => "local" in l)?.local).toEqual({
      path: "weights",
      payload: "payload",
      drive: "weights",
      list: ["model.txt"],
      conflict: { name: "DriveConflictError", code: "E_DRIVE_CONFLICT" },
    });
  });
});
