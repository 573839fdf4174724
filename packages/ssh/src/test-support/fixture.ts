/**
 * One client home and one sshd that trusts its key, with `~/.ssh/config`
 * naming the server `alias`: the usual start of a test of this package.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { localUserName } from "../config/local-user.ts";
import { join } from "node:path";
import { knownHostsLine, makeHome, makeKey, type SshdOptions, startSshd, type TestKey, type TestSshd } from "./sshd.ts";

/** A client home and a server. */
export interface SshFixture {
  home: string;
  ssh: string;
  key: TestKey;
  sshd: TestSshd;
  /** The environment to connect with (HOME = the temp home, no agent). */
  env: Record<string, string | undefined>;
  /** Appends a `Host` block to `~/.ssh/config`. */
  addHost(alias: string, lines: string[]): void;
  /** Appends the server's key to `~/.ssh/known_hosts`. */
  trust(sshd?: TestSshd): void;
  close(): Promise<void>;
}

/**
 * Starts an sshd trusting a fresh key; the home's config names it `alias`
 * (127.0.0.1, its port, the key) and, unless `trusted` is false, known_hosts holds its key.
 */
export async function sshFixture(options: { alias?: string; trusted?: boolean; sshd?: Partial<SshdOptions> } = {}): Promise<SshFixture> {
  const { home, ssh, remove } = makeHome();
  const key = makeKey(ssh, "id_ed25519");
  const sshd = await startSshd({ authorizedKeys: [key.publicLine], ...options.sshd });
  const config = join(ssh, "config");
  writeFileSync(config, "");
  const f: SshFixture = {
    home,
    ssh,
    key,
    sshd,
    env: { HOME: home, PATH: process.env.PATH },
    addHost: (alias, lines) => appendFileSync(config, `Host ${alias}\n${lines.map((l) => `  ${l}\n`).join("")}`),
    trust: (s = sshd) => appendFileSync(join(ssh, "known_hosts"), `${knownHostsLine(s.port, s.hostKey)}\n`),
    close: async () => {
      await sshd.stop();
      remove();
    },
  };
  f.addHost(options.alias ?? "box", ["HostName 127.0.0.1", `Port ${sshd.port}`, `User ${localUserName()}`]);
  if (options.trusted !== false) f.trust();
  return f;
}
