import { describe, expect, it } from "vitest";
import { parseHostRules } from "./host-rules.ts";

describe("--host rules", () => {
  it("send works by the start of their compute name, the longest rule first, the rest here", () => {
    const rules = parseHostRules(["gpu=gpu-box", "gpu-fast=fast-box", "cpu=cpu-box"]);
    expect(rules.hostFor("gpu")).toBe("gpu-box");
    expect(rules.hostFor("gpu-fast-multi")).toBe("fast-box");
    expect(rules.hostFor("cpu-small")).toBe("cpu-box");
    expect(rules.hostFor("default")).toBe("cpu-box");
    expect(parseHostRules(["gpu=gpu-box"]).hostFor("default")).toBeUndefined();
    expect(rules.aliases).toEqual(["gpu-box", "fast-box", "cpu-box"]);
  });

  it("a bare host takes every work no rule names", () => {
    const rules = parseHostRules(["gpu=gpu-box", "lab"]);
    expect(rules.hostFor("gpu-fast")).toBe("gpu-box");
    expect(rules.hostFor("cpu")).toBe("lab");
    expect(rules.hostFor("default")).toBe("lab");
  });

  it("names the compute names of the user's own", () => {
    expect(parseHostRules(["a100=box", "gpu=box", "cpu-s=box"]).customComputes).toEqual(["a100"]);
  });

  it("refuses what is not a rule, saying what one looks like", () => {
    expect(() => parseHostRules(["gpu="])).toThrow(/--host "gpu=": "" is not an SSH host name.*--host gpu=gpu-box/);
    expect(() => parseHostRules(["-oProxyCommand=x"])).toThrow(/is not a compute name/);
    expect(() => parseHostRules(["box; rm -rf ~"])).toThrow(/is not an SSH host name/);
    expect(() => parseHostRules(["GPU=box"])).toThrow(/"GPU" is not a compute name/);
    expect(() => parseHostRules(["a", "b"])).toThrow(/every work already runs on a/);
    expect(() => parseHostRules(["gpu=a", "gpu=b"])).toThrow(/the gpu works already run on a/);
  });
});
