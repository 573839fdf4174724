import { execSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHost } from "./connect-host.ts";
import { fingerprint, keyTypeOf } from "./known-hosts.ts";
import { type SshFixture, sshFixture } from "./test-support/fixture.ts";
import { knownHostsLine, makeKey, startSshd, type TestSshd } from "./test-support/sshd.ts";

let f: SshFixture;
beforeAll(async () => {
  f = await sshFixture({ trusted: false });
});
afterAll(() => f?.close());

const knownHosts = () => join(f.ssh, "known_hosts");
const keyFingerprint = (line: string) => fingerprint(Buffer.from(line.split(" ")[1]!, "base64"));

describe("known_hosts", () => {
  it("refuses an unknown host key with the command that trusts it, and that command works", async () => {
    writeFileSync(knownHosts(), "");
    const e = await connectHost("box", { env: f.env }).catch((err) => err);
    expect(e).toMatchObject({ name: "SshHostKeyUnknownError", code: "E_SSH_HOST_KEY_UNKNOWN" });
    expect(e.message).toContain(keyFingerprint(f.sshd.hostKey));
    expect(e.trustCommand).toContain(`ssh-keyscan -H -p ${f.sshd.port} '127.0.0.1' >> '${knownHosts()}'`);
    expect(e.message).toContain("ssh box true");
    // The user runs the command printed, and the host is trusted: with a hashed entry.
    execSync(e.trustCommand.split("   (")[0], { stdio: "ignore" });
    expect(readFileSync(knownHosts(), "utf8")).toMatch(/^\|1\|/m);
    const host = await connectHost("box", { env: f.env });
    expect((await host.exec("echo in")).stdout).toBe("in\n");
    await host.close();
  });

  it("accepts hashed and plain [host]:port entries, and the config's UserKnownHostsFile", async () => {
    writeFileSync(knownHosts(), `${knownHostsLine(f.sshd.port, f.sshd.hostKey)}\n`);
    await (await connectHost("box", { env: f.env })).close();
    execSync(`ssh-keygen -H -f ${knownHosts()}`, { stdio: "ignore" });
    expect(readFileSync(knownHosts(), "utf8")).not.toContain("127.0.0.1");
    await (await connectHost("box", { env: f.env })).close();

    const own = join(f.home, "my_known_hosts");
    writeFileSync(own, `@cert-authority * ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO\n${knownHostsLine(f.sshd.port, f.sshd.hostKey)}\n`);
    writeFileSync(knownHosts(), "");
    f.addHost("own-file", ["HostName 127.0.0.1", `Port ${f.sshd.port}`, `UserKnownHostsFile ${own}`]);
    await (await connectHost("own-file", { env: f.env })).close();
  });

  it("keeps the key the host presented and known_hosts trusted on the connection (lit deploy writes it for the flow's host)", async () => {
    writeFileSync(knownHosts(), `${knownHostsLine(f.sshd.port, f.sshd.hostKey)}\n`);
    const host = await connectHost("box", { env: f.env });
    try {
      expect(`${keyTypeOf(host.hostKey)} ${host.hostKey.toString("base64")}`).toBe(f.sshd.hostKey.trim().split(" ").slice(0, 2).join(" "));
    } finally {
      await host.close();
    }
  });

  it("refuses a changed key loudly, naming the file and line of the old entry", async () => {
    const old = makeKey(join(f.home, "old"), "host_key").publicLine;
    writeFileSync(knownHosts(), `# first line\n127.0.0.2 ${old}\n${knownHostsLine(f.sshd.port, old)}\n`);
    const e = await connectHost("box", { env: f.env }).catch((err) => err);
    expect(e).toMatchObject({ code: "E_SSH_HOST_KEY_CHANGED", knownHostsFile: knownHosts(), knownHostsLine: 3 });
    expect(e.message).toContain("THE HOST KEY HAS CHANGED");
    expect(e.message).toContain(`${knownHosts()}:3`);
    expect(e.message).toContain(keyFingerprint(f.sshd.hostKey));
    expect(e.trustCommand).toContain(`ssh-keygen -R '[127.0.0.1]:${f.sshd.port}' -f '${knownHosts()}'`);
  });

  it("refuses a key marked @revoked", async () => {
    writeFileSync(knownHosts(), `${knownHostsLine(f.sshd.port, f.sshd.hostKey)}\n@revoked * ${f.sshd.hostKey}\n`);
    const e = await connectHost("box", { env: f.env }).catch((err) => err);
    expect(e).toMatchObject({ code: "E_SSH_HOST_KEY_CHANGED", knownHostsLine: 2 });
    expect(e.message).toContain("REVOKED");
  });

  it("asks a host with several keys for the type known_hosts holds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lit-sshd-two-"));
    let two: TestSshd | undefined;
    try {
      // An RSA host key (the one known here) and an ed25519 one, which ssh2 prefers unless told otherwise.
      const ed = makeKey(dir, "host_ed25519");
      two = await startSshd({ authorizedKeys: [f.key.publicLine], dir, hostKeyType: "rsa", config: [`HostKey ${ed.privateFile}`] });
      expect(two.hostKey).toMatch(/^ssh-rsa /);
      writeFileSync(knownHosts(), `${knownHostsLine(two.port, two.hostKey)}\n`);
      f.addHost("rsa-known", ["HostName 127.0.0.1", `Port ${two.port}`]);
      await (await connectHost("rsa-known", { env: f.env })).close();
    } finally {
      await two?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
