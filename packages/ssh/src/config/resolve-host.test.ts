import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SshConfigError } from "../errors.ts";
import { localUserName } from "./local-user.ts";
import { resolveHost } from "./resolve-host.ts";

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

/** A temp home with the given files under `.ssh/`. */
function home(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "lit-ssh-home-"));
  homes.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, ".ssh", name, ".."), { recursive: true });
    writeFileSync(join(dir, ".ssh", name), text);
  }
  return dir;
}

describe("resolveHost", () => {
  it("reads HostName, User, Port, IdentityFile with tokens, first value winning", () => {
    const h = home({
      config: [
        "Host gpu-box",
        "  HostName 10.1.2.3",
        "  User trainer",
        "  Port 2222",
        "  IdentityFile ~/.ssh/id_%h_%r",
        "  IdentityFile %d/keys/%u",
        "Host *",
        "  User someone-else",
        "  Port 22",
      ].join("\n"),
    });
    const r = resolveHost("gpu-box", { env: { HOME: h } });
    expect(r).toMatchObject({ alias: "gpu-box", hostName: "10.1.2.3", user: "trainer", port: 2222 });
    expect(r.identityFiles).toEqual([join(h, ".ssh/id_10.1.2.3_trainer"), join(h, "keys", localUserName())]);
    expect(r.userKnownHostsFiles).toEqual([join(h, ".ssh/known_hosts"), join(h, ".ssh/known_hosts2")]);
    expect(r.proxyJump).toEqual([]);
  });

  it("uses the alias as host name, port 22 and the local user when the config says nothing (or is missing)", () => {
    const r = resolveHost("plain.example", { env: { HOME: home({}) } });
    expect(r).toMatchObject({ hostName: "plain.example", port: 22, user: localUserName(), identityFiles: [] });
  });

  it("follows Include with globs relative to ~/.ssh, also inside a Host block", () => {
    const h = home({
      config: ["Include conf.d/*.conf", "Host outer", "  Include inner", "  User outer-user"].join("\n"),
      "conf.d/10-a.conf": "Host a\n  HostName a.internal\n  ProxyJump bastion\n",
      "conf.d/20-b.conf": "Host bastion\n  HostName 192.0.2.1\n  Port 2200\n  User jump\n",
      inner: "HostName outer.internal\nHost unrelated\n  Port 1234\n",
    });
    const a = resolveHost("a", { env: { HOME: h } });
    expect(a).toMatchObject({ hostName: "a.internal", proxyJump: [{ host: "bastion" }] });
    expect(resolveHost("bastion", { env: { HOME: h } })).toMatchObject({ hostName: "192.0.2.1", port: 2200, user: "jump" });
    // The User after the Include still applies to "outer", not to "unrelated".
    expect(resolveHost("outer", { env: { HOME: h } })).toMatchObject({ hostName: "outer.internal", user: "outer-user", port: 22 });
  });

  it("parses ProxyJump lists with users, ports and ssh:// URIs", () => {
    const h = home({ config: "Host t\n  ProxyJump alice@j1:2022,ssh://j2,bob@[::1]:22\n" });
    expect(resolveHost("t", { env: { HOME: h } }).proxyJump).toEqual([
      { host: "j1", user: "alice", port: 2022 },
      { host: "j2" },
      { host: "::1", user: "bob", port: 22 },
    ]);
  });

  it("names the file and line of a bad Port, also in an included file", () => {
    const h = home({ config: "Include extra\n", extra: "# comment\nHost x\n  Port ssh\n" });
    const e = (() => {
      try {
        resolveHost("x", { env: { HOME: h } });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(SshConfigError);
    expect((e as SshConfigError).code).toBe("E_SSH_CONFIG");
    expect((e as SshConfigError).message).toContain(`${join(h, ".ssh/extra")}:3`);
    expect((e as SshConfigError).message).toContain('Port "ssh"');
  });

  it("names the file and line of a line ssh-config cannot parse", () => {
    const h = home({ config: 'Host y\n  HostName y.internal\n  User "unterminated\n' });
    expect(() => resolveHost("y", { env: { HOME: h } })).toThrow(`${join(h, ".ssh/config")}:3`);
  });

  it("refuses an Include loop with the file and line", () => {
    const h = home({ config: "Include config\n" });
    expect(() => resolveHost("z", { env: { HOME: h } })).toThrow(/config:1: Include nested deeper than 16/);
  });

  it("takes the agent socket from IdentityAgent or SSH_AUTH_SOCK, and none turns it off", () => {
    const h = home({ config: "Host off\n  IdentityAgent none\nHost custom\n  IdentityAgent ~/agent.sock\n" });
    expect(resolveHost("any", { env: { HOME: h, SSH_AUTH_SOCK: "/tmp/s" } }).agentSocket).toBe("/tmp/s");
    expect(resolveHost("off", { env: { HOME: h, SSH_AUTH_SOCK: "/tmp/s" } }).agentSocket).toBeUndefined();
    expect(resolveHost("custom", { env: { HOME: h } }).agentSocket).toBe(join(h, "agent.sock"));
  });
});
