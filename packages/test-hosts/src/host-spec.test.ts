import { describe, expect, it } from "vitest";
import { startTestHosts } from "./index.ts";

describe("host specs", () => {
  it.each([
    [{ name: "GPU" }, /lowercase letters/],
    [{ name: "a-very-long-host-name-indeed" }, /at most 20/],
    [{ name: "laptop" }, /controller/],
    [{ name: "box", port: 70000 }, /port 70000/],
    [{ name: "box", runtime: "deno" as never }, /runtime "deno"/],
    [{ name: "box", homeSize: "lots" }, /homeSize "lots"/],
  ])("refuses %o before touching the machine", async (spec, message) => {
    await expect(startTestHosts({ hosts: [spec] })).rejects.toMatchObject({ code: "E_BAD_SPEC", message: expect.stringMatching(message) });
  });

  it("refuses a host named twice", async () => {
    await expect(startTestHosts({ hosts: ["box", { name: "box", runtime: "bun" }] })).rejects.toMatchObject({ code: "E_BAD_SPEC", message: expect.stringMatching(/named twice/) });
  });
});
