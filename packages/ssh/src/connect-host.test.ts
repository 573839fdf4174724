import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectHost } from "./connect-host.ts";
import { type SshFixture, sshFixture } from "./test-support/fixture.ts";
import { startSshAgent } from "./test-support/ssh-agent.ts";
import { makeKey, startSshd } from "./test-support/sshd.ts";

let f: SshFixture;
beforeAll(async () => {
  f = await sshFixture();
});
afterAll(() => f?.close());

describe("connectHost errors", () => {
  it("names the alias, the address and what to do when the key is refused (E_SSH_AUTH)", async () => {
    const other = makeKey(f.ssh, "id_other");
    f.addHost("wrong-key", ["HostName 127.0.0.1", `Port ${f.sshd.port}`, `IdentityFile ${other.privateFile}`]);
    const e = await connectHost("wrong-key", { env: f.env }).catch((err) => err);
    expect(e).toMatchObject({ name: "SshAuthError", code: "E_SSH_AUTH" });
    expect(e.message).toContain(`[wrong-key (127.0.0.1:${f.sshd.port})]`);
    expect(e.message).toContain(other.privateFile);
    expect(e.message).toContain("ssh-copy-id wrong-key");
  });

  it("says an encrypted key needs ssh-agent when there is none (E_SSH_KEY)", async () => {
    const locked = makeKey(f.ssh, "id_locked", { passphrase: "secret words" });
    f.addHost("locked", ["HostName 127.0.0.1", `Port ${f.sshd.port}`, `IdentityFile ${locked.privateFile}`]);
    const e = await connectHost("locked", { env: f.env }).catch((err) => err);
    expect(e).toMatchObject({ code: "E_SSH_KEY" });
    expect(e.message).toContain(`ssh-add ${locked.privateFile}`);
  });

  it("logs in with a key held by ssh-agent (SSH_AUTH_SOCK), the key file being encrypted", async () => {
    const locked = makeKey(f.ssh, "id_agent", { passphrase: "pw" });
    appendFileSync(join(f.sshd.dir, "authorized_keys"), `${locked.publicLine}\n`);
    const agent = await startSshAgent(f.home);
    try {
      agent.add(locked.privateFile, "pw");
      f.addHost("via-agent", ["HostName 127.0.0.1", `Port ${f.sshd.port}`, `IdentityFile ${locked.privateFile}`]);
      const host = await connectHost("via-agent", { env: { ...f.env, SSH_AUTH_SOCK: agent.socket } });
      expect((await host.exec("echo ok")).stdout).toBe("ok\n");
      await host.close();
    } finally {
      agent.stop();
    }
  });

  it("with IdentitiesOnly, offers only the IdentityFile's key from the agent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lit-agent-"));
    // A server that allows one try: the agent's first key (not authorized) would use it up.
    const strict = await startSshd({ authorizedKeys: [f.key.publicLine], config: ["MaxAuthTries 1"] });
    const agent = await startSshAgent(dir);
    try {
      f.trust(strict);
      agent.add(makeKey(dir, "id_stranger").privateFile);
      agent.add(f.key.privateFile);
      const env = { ...f.env, SSH_AUTH_SOCK: agent.socket };
      f.addHost("strict-any", ["HostName 127.0.0.1", `Port ${strict.port}`, `IdentityFile ${f.key.privateFile}`]);
      f.addHost("strict-only", ["HostName 127.0.0.1", `Port ${strict.port}`, `IdentityFile ${f.key.privateFile}`, "IdentitiesOnly yes"]);
      const e = await connectHost("strict-any", { env }).catch((err) => err);
      expect(e).toMatchObject({ code: "E_SSH_AUTH" });
      expect(e.message).toContain("Too many authentication failures");
      const host = await connectHost("strict-only", { env });
      expect((await host.exec("echo only")).stdout).toBe("only\n");
      await host.close();
    } finally {
      agent.stop();
      await strict.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails with E_SSH_REFUSED on a closed port", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    f.addHost("closed", ["HostName 127.0.0.1", `Port ${port}`]);
    const e = await connectHost("closed", { env: f.env }).catch((err) => err);
    expect(e).toMatchObject({ name: "SshRefusedError", code: "E_SSH_REFUSED" });
    expect(e.message).toContain(`127.0.0.1:${port}`);
  });

  it("fails with E_SSH_DNS on a name that does not resolve", async () => {
    f.addHost("nowhere", ["HostName no-such-host.invalid"]);
    const e = await connectHost("nowhere", { env: f.env }).catch((err) => err);
    expect(e).toMatchObject({ code: "E_SSH_DNS" });
    expect(e.message).toContain('"no-such-host.invalid"');
  });

  it("fails with E_SSH_TIMEOUT within the bound when the server never speaks", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    f.addHost("silent", ["HostName 127.0.0.1", `Port ${port}`]);
    try {
      const t = performance.now();
      const e = await connectHost("silent", { env: f.env, timeoutMs: 1500 }).catch((err) => err);
      const took = performance.now() - t;
      expect(e).toMatchObject({ code: "E_SSH_TIMEOUT" });
      expect(e.message).toContain("1.5 s");
      expect(took).toBeGreaterThanOrEqual(1400);
      expect(took).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });

  it("fails within the bound when the server is not an SSH server and hangs up", async () => {
    const rude = createServer((s) => s.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    await new Promise<void>((r) => rude.listen(0, "127.0.0.1", r));
    f.addHost("rude", ["HostName 127.0.0.1", `Port ${(rude.address() as { port: number }).port}`]);
    try {
      const e = await connectHost("rude", { env: f.env, timeoutMs: 3000 }).catch((err) => err);
      expect(e).toMatchObject({ code: "E_SSH_CONNECTION" });
    } finally {
      rude.close();
    }
  });
});
