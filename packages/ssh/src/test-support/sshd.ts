/**
 * Real OpenSSH servers for tests, on 127.0.0.1 with a free high port, a temp
 * host key and a temp authorized_keys file, run as the current user; and temp
 * home folders with keys, ~/.ssh/config and known_hosts, for the client side.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** A key pair made with ssh-keygen. */
export interface TestKey {
  privateFile: string;
  /** The public key line (`ssh-ed25519 AAAA... comment`). */
  publicLine: string;
}

/** Makes a key pair in `dir` (ed25519 unless told), encrypted when a passphrase is given. */
export function makeKey(dir: string, name: string, options: { type?: "ed25519" | "ecdsa" | "rsa"; passphrase?: string } = {}): TestKey {
  mkdirSync(dir, { recursive: true });
  const privateFile = join(dir, name);
  rmSync(privateFile, { force: true });
  rmSync(`${privateFile}.pub`, { force: true });
  execFileSync("ssh-keygen", ["-q", "-t", options.type ?? "ed25519", "-N", options.passphrase ?? "", "-C", name, "-f", privateFile]);
  return { privateFile, publicLine: readFileSync(`${privateFile}.pub`, "utf8").trim() };
}

/** A running sshd. */
export interface TestSshd {
  port: number;
  /** The host's public key line (`ssh-ed25519 AAAA...`). */
  hostKey: string;
  /** Its folder (config, host key, authorized_keys, log). */
  dir: string;
  /** What sshd logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Options of {@link startSshd}. */
export interface SshdOptions {
  /** Public key lines allowed to log in. */
  authorizedKeys: string[];
  /** Extra sshd_config lines (e.g. `SetEnv PATH=/nowhere`). */
  config?: string[];
  /** Host key type (default ed25519). */
  hostKeyType?: "ed25519" | "ecdsa" | "rsa";
  /** Reuse this folder's host key (to restart "the same host"). */
  dir?: string;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a !== null ? a.port : 0));
    });
  });

const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const c = connect({ host: "127.0.0.1", port });
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });

/** Starts `/usr/sbin/sshd -D` on 127.0.0.1 and a free port; resolves once it accepts connections. */
export async function startSshd(options: SshdOptions): Promise<TestSshd> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "lit-sshd-"));
  const hostKeyFile = join(dir, "host_key");
  let hostKey: string;
  try {
    hostKey = readFileSync(`${hostKeyFile}.pub`, "utf8").trim();
  } catch {
    hostKey = makeKey(dir, "host_key", { type: options.hostKeyType ?? "ed25519" }).publicLine;
  }
  writeFileSync(join(dir, "authorized_keys"), `${options.authorizedKeys.join("\n")}\n`, { mode: 0o600 });
  if (userInfo().uid === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKeyFile}`,
      "PidFile none",
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin prohibit-password",
      "AllowTcpForwarding yes",
      "MaxStartups 100",
      "LogLevel VERBOSE",
      ...(options.config ?? []),
    ];
    writeFileSync(join(dir, "sshd_config"), `${config.join("\n")}\n`);
    let log = "";
    const child: ChildProcess = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr!.on("data", (c: Buffer) => (log = (log + c.toString()).slice(-100_000)));
    let exited = false;
    child.once("exit", () => (exited = true));
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline && !(await canConnect(port))) await new Promise((r) => setTimeout(r, 20));
    if (exited || Date.now() >= deadline) {
      child.kill("SIGKILL");
      if (attempt < 3 && /Address already in use/.test(log)) continue;
      throw new Error(`sshd did not start on 127.0.0.1:${port}:\n${log}`);
    }
    return {
      port,
      hostKey,
      dir,
      log: () => log,
      stop: async () => {
        if (!exited) {
          const gone = new Promise((r) => child.once("exit", r));
          child.kill("SIGTERM");
          await gone;
        }
        if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** A temp home folder for the client: `.ssh/` with the given files (config, known_hosts, ...). */
export function makeHome(files: Record<string, string> = {}): { home: string; ssh: string; remove(): void } {
  const home = mkdtempSync(join(tmpdir(), "lit-ssh-home-"));
  const ssh = join(home, ".ssh");
  mkdirSync(ssh, { mode: 0o700 });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(ssh, name), text, { mode: 0o600 });
  return { home, ssh, remove: () => rmSync(home, { recursive: true, force: true }) };
}

/** The known_hosts line for a host key on 127.0.0.1:port (`[127.0.0.1]:port ssh-ed25519 AAAA...`). */
export const knownHostsLine = (port: number, hostKey: string, host = "127.0.0.1"): string =>
  `${port === 22 ? host : `[${host}]:${port}`} ${hostKey.split(" ").slice(0, 2).join(" ")}`;
