import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkHostKey, hostFieldMatches, knownHostsName } from "./known-hosts.ts";
import { makeKey } from "./test-support/sshd.ts";

const dir = mkdtempSync(join(tmpdir(), "lit-known-hosts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const blob = (line: string) => Buffer.from(line.split(" ")[1]!, "base64");

describe("known_hosts matching", () => {
  it("names hosts as ssh files them", () => {
    expect(knownHostsName("Gpu-Box.example", 22)).toBe("gpu-box.example");
    expect(knownHostsName("10.0.0.2", 2222)).toBe("[10.0.0.2]:2222");
  });

  it("matches comma lists, wildcards and negations", () => {
    expect(hostFieldMatches("a.example,b.example", "b.example")).toBe(true);
    expect(hostFieldMatches("*.example", "gpu.example")).toBe(true);
    expect(hostFieldMatches("gpu-?.example", "gpu-1.example")).toBe(true);
    expect(hostFieldMatches("*.example,!bad.example", "bad.example")).toBe(false);
    expect(hostFieldMatches("[10.0.0.2]:2222", "[10.0.0.2]:2222")).toBe(true);
    expect(hostFieldMatches("10.0.0.2", "[10.0.0.2]:2222")).toBe(false);
  });

  it("matches the entries ssh-keygen -H hashes, and only for their host", () => {
    const key = makeKey(dir, "k1").publicLine;
    const file = join(dir, "known_hosts");
    writeFileSync(file, `[gpu.example]:2222 ${key}\nother.example ${key}\n`);
    execFileSync("ssh-keygen", ["-H", "-f", file], { stdio: "ignore" });
    const [first] = readFileSync(file, "utf8").split("\n");
    expect(first).toMatch(/^\|1\|/);
    expect(hostFieldMatches(first!.split(" ")[0]!, "[gpu.example]:2222")).toBe(true);
    expect(hostFieldMatches(first!.split(" ")[0]!, "gpu.example")).toBe(false);
    expect(checkHostKey([file], "[gpu.example]:2222", blob(key))).toMatchObject({ kind: "trusted", line: 1 });
    expect(checkHostKey([file], "third.example", blob(key))).toEqual({ kind: "unknown", knownTypes: [] });
  });

  it("says unknown (with the types known) for a key of another type, changed for another key of the same type", () => {
    const ed = makeKey(dir, "k2").publicLine;
    const otherEd = makeKey(dir, "k3").publicLine;
    const ecdsa = makeKey(dir, "k4", { type: "ecdsa" }).publicLine;
    const file = join(dir, "mixed");
    writeFileSync(file, `# comment\n\nbox ${ecdsa}\nbox ${ed}\n`);
    expect(checkHostKey([join(dir, "missing"), file], "box", blob(otherEd))).toEqual({ kind: "changed", file, line: 4, revoked: false });
    writeFileSync(file, `box ${ecdsa}\n`);
    expect(checkHostKey([file], "box", blob(ed))).toEqual({ kind: "unknown", knownTypes: ["ecdsa-sha2-nistp256"] });
  });
});
