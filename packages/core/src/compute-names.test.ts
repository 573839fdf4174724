import { describe, expect, it } from "vitest";
import { CloudCompute } from "./compute.ts";
import { ComputeError } from "./errors.ts";
import { allowComputeNames } from "./internal.ts";

describe("compute names of the user's own", () => {
  it("are refused until a --host rule maps them, then carry their GPUs", () => {
    expect(() => new CloudCompute("a100")).toThrow(/unknown compute name "a100".*--host a100=<ssh host>/);
    allowComputeNames(["a100", "gpu-h100"]);
    const a100 = new CloudCompute("a100", { gpus: 2 });
    expect(a100.toJSON()).toMatchObject({ name: "a100", gpus: 2 });
    expect(new CloudCompute("a100").gpus).toBe(0);
    expect(new CloudCompute("gpu-h100").gpus).toBe(1);
    expect(new CloudCompute("gpu-h100").isGpu).toBe(true);
    // the listed names now include the mapped ones
    expect(() => new CloudCompute("tpu")).toThrow(/the names your --host rules map: a100, gpu-h100/);
  });

  it("must look like a name", () => {
    for (const bad of ["", "A100", "a 100", "../x", "x".repeat(64)]) {
      const error = (() => {
        try {
          allowComputeNames([bad]);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, bad).toBeInstanceOf(ComputeError);
    }
  });
});
