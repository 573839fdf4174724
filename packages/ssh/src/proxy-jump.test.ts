import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHost } from "./connect-host.ts";
import { type SshFixture, sshFixture } from "./test-support/fixture.ts";
import { startSshd, type TestSshd } from "./test-support/sshd.ts";

let f: SshFixture;
let target: TestSshd;
beforeAll(async () => {
  f = await sshFixture({ alias: "bastion" });
  // The target only accepts connections from 127.0.0.1 too, but is reached through the bastion's forward.
  target = await startSshd({ authorizedKeys: [f.key.publicLine] });
  f.trust(target);
});
afterAll(async () => {
  await target?.stop();
  await f?.close();
});

describe("ProxyJump", () => {
  it("reaches the target through the jump host's forward, and closing it closes both", async () => {
    f.addHost("inner", ["HostName 127.0.0.1", `Port ${target.port}`, "ProxyJump bastion"]);
    const host = await connectHost("inner", { env: f.env });
    expect((await host.exec("echo through")).stdout).toBe("through\n");
    expect(target.log()).toContain("Accepted publickey");
    const bastionLogins = (f.sshd.log().match(/Accepted publickey/g) ?? []).length;
    expect(bastionLogins).toBeGreaterThan(0);
    await host.close();
    // Closing the target's connection ended the bastion's too.
    for (let i = 0; i < 100 && !/Disconnected from user/.test(f.sshd.log()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(f.sshd.log()).toMatch(/Disconnected from user/);
  });

  it("chains two hops given as user@host:port", async () => {
    f.addHost("two-hops", ["HostName 127.0.0.1", `Port ${target.port}`, `ProxyJump bastion,127.0.0.1:${f.sshd.port}`]);
    const host = await connectHost("two-hops", { env: f.env });
    expect((await host.exec("echo twice")).stdout).toBe("twice\n");
    await host.close();
  });

  it("says the target refused when nothing listens behind the jump host", async () => {
    f.addHost("inner-closed", ["HostName 127.0.0.1", "Port 1", "ProxyJump bastion"]);
    const e = await connectHost("inner-closed", { env: f.env }).catch((err) => err);
    expect(e).toMatchObject({ code: "E_SSH_REFUSED" });
    expect(e.message).toContain("[inner-closed (127.0.0.1:1)]");
  });

  it("checks the target's key against known_hosts (an unknown target is refused)", async () => {
    const stranger = await startSshd({ authorizedKeys: [f.key.publicLine] });
    try {
      f.addHost("stranger", ["HostName 127.0.0.1", `Port ${stranger.port}`, "ProxyJump bastion"]);
      const e = await connectHost("stranger", { env: f.env }).catch((err) => err);
      expect(e).toMatchObject({ code: "E_SSH_HOST_KEY_UNKNOWN" });
      expect(e.trustCommand).toContain("ssh stranger true");
    } finally {
      await stranger.stop();
    }
  });

  it("refuses a ProxyJump loop with E_SSH_CONFIG", async () => {
    f.addHost("loop", ["HostName 127.0.0.1", `Port ${target.port}`, "ProxyJump loop"]);
    await expect(connectHost("loop", { env: f.env })).rejects.toMatchObject({ code: "E_SSH_CONFIG", message: expect.stringContaining("more than 8 jump hosts") });
  });
});
