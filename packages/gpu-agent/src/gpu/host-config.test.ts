import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, tempDir } from "../test-support/temp-dirs.ts";
import { HostConfigError } from "../errors.ts";
import { readHostConfig } from "./host-config.ts";

const file = (content: string): string => {
  const path = join(tempDir("lit-host-config-"), "host.json");
  writeFileSync(path, content);
  return path;
};

afterAll(removeTempDirs);

describe("readHostConfig", () => {
  it("reads declared GPUs", async () => {
    const path = file(JSON.stringify({ gpus: [{ uuid: "GPU-aaaa", name: "A100", memoryMiB: 81920 }] }));
    expect(await readHostConfig(path)).toEqual({ gpus: [{ uuid: "GPU-aaaa", name: "A100", memoryMiB: 81920 }] });
  });

  it("is null when the file does not exist", async () => {
    expect(await readHostConfig(join(tmpdir(), "no-such-dir-lit", "host.json"))).toBeNull();
  });

  it("refuses a bad field, naming the file and the field", async () => {
    const path = file(JSON.stringify({ gpus: [{ uuid: "GPU-a", name: "A", memoryMiB: 1 }, { uuid: "GPU-b", name: "B", memoryMiB: "lots" }] }));
    const error = await readHostConfig(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostConfigError);
    expect(error).toMatchObject({ code: "E_HOST_CONFIG", file: path, field: "gpus[1].memoryMiB" });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('field "gpus[1].memoryMiB"');
  });

  it("refuses an unknown key in a GPU, a repeated uuid, and a file that is not JSON", async () => {
    await expect(readHostConfig(file('{"gpus":[{"uuid":"GPU-a","name":"A","memoryMiB":1,"memory":2}]}'))).rejects.toMatchObject({ field: "gpus[0]" });
    await expect(readHostConfig(file('{"gpus":[{"uuid":"GPU-a","name":"A","memoryMiB":1},{"uuid":"GPU-a","name":"A","memoryMiB":1}]}'))).rejects.toThrow(/same uuid twice/);
    await expect(readHostConfig(file("{gpus:"))).rejects.toThrow(/is not valid JSON/);
  });
});
