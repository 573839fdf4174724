/**
 * One host's sshd: its own ed25519 host key, its own config (listening on the
 * host's address only, key authentication only, one allowed user, no root
 * login, the host's PATH for every session), started inside the host's
 * namespace as a daemon and found again through its PidFile.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, runOk } from "./command.ts";
import { SetupCommandError, TestHostsTimeoutError } from "./errors.ts";
import { isAlive, waitGone } from "./processes.ts";
import { systemTools } from "./system.ts";

/** Everything one sshd needs. */
export interface SshdSetup {
  /** The host's name, for messages. */
  readonly host: string;
  /** The host's network namespace. */
  readonly ns: string;
  /** The root-only folder holding its config, key, pid file and log. */
  readonly dir: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** The PATH of every session. */
  readonly path: string;
}

/** The files of an sshd folder. */
export function sshdFiles(dir: string) {
  return {
    config: join(dir, "sshd_config"),
    hostKey: join(dir, "ssh_host_ed25519_key"),
    hostPublicKey: join(dir, "ssh_host_ed25519_key.pub"),
    pidFile: join(dir, "sshd.pid"),
    log: join(dir, "sshd.log"),
  };
}

let sshdVersion: [number, number] | undefined;

/** OpenSSH's version as [major, minor]. */
function version(): [number, number] {
  if (!sshdVersion) {
    let text = "";
    try {
      execFileSync(systemTools().sshd, ["-V"], { stdio: "pipe" });
    } catch (error) {
      text = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    }
    const match = /OpenSSH_(\d+)\.(\d+)/.exec(text);
    sshdVersion = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  }
  return sshdVersion;
}

/** Writes the sshd config and, when there is none yet, generates the host key. */
export async function prepareSshd(setup: SshdSetup): Promise<void> {
  mkdirSync(setup.dir, { recursive: true, mode: 0o700 });
  // sshd's privilege separation folder; the openssh-server package makes it only when its service starts.
  if (!existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755 });
  const files = sshdFiles(setup.dir);
  if (!existsSync(files.hostKey)) await newHostKey(setup);
  const [major, minor] = version();
  const lines = [
    `# sshd of test host ${setup.host}`,
    `ListenAddress ${setup.address}:${setup.port}`,
    `HostKey ${files.hostKey}`,
    `PidFile ${files.pidFile}`,
    "AuthorizedKeysFile .ssh/authorized_keys",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "HostbasedAuthentication no",
    "PermitRootLogin no",
    `AllowUsers ${setup.user}`,
    "UsePAM no",
    "StrictModes yes",
    "PermitUserEnvironment no",
    `SetEnv PATH=${setup.path}`,
    "AllowTcpForwarding yes",
    "AllowStreamLocalForwarding yes",
    "X11Forwarding no",
    "PrintMotd no",
    "PrintLastLog no",
    "UseDNS no",
    "MaxStartups 100:30:200",
    "MaxSessions 100",
    "LogLevel VERBOSE",
    "Subsystem sftp internal-sftp",
    // OpenSSH 9.8 penalises addresses that fail to authenticate; the tests fail on purpose.
    ...(major > 9 || (major === 9 && minor >= 8) ? ["PerSourcePenalties no"] : []),
  ];
  writeFileSync(files.config, lines.join("\n") + "\n", { mode: 0o600 });
}

/** Replaces the host key with a new one (the sshd must be restarted to use it). */
export async function newHostKey(setup: Pick<SshdSetup, "host" | "dir">): Promise<void> {
  const files = sshdFiles(setup.dir);
  rmSync(files.hostKey, { force: true });
  rmSync(files.hostPublicKey, { force: true });
  await runOk(systemTools().sshKeygen, ["-q", "-t", "ed25519", "-N", "", "-C", `host key of ${setup.host}`, "-f", files.hostKey], `sshd ${setup.host}`);
}

/** The pid of the running sshd, or undefined. */
export function sshdPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(sshdFiles(dir).pidFile, "utf8").trim());
    return pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The last lines of the sshd log, for error messages. */
export function sshdLogTail(dir: string, lines = 10): string {
  try {
    return readFileSync(sshdFiles(dir).log, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Starts the sshd in the host's namespace and waits until it listens (its PidFile is written after it binds). */
export async function startSshd(setup: SshdSetup, timeoutMs = 10_000): Promise<number> {
  const running = sshdPid(setup.dir);
  if (running !== undefined) return running;
  const files = sshdFiles(setup.dir);
  rmSync(files.pidFile, { force: true });
  const { ip, sshd } = systemTools();
  const argv = ["netns", "exec", setup.ns, sshd, "-f", files.config, "-E", files.log];
  const result = await run(ip, argv, `sshd ${setup.host}`);
  if (result.code !== 0) {
    throw new SetupCommandError(`sshd ${setup.host}`, [ip, ...argv], result.code, `${result.stderr}\n${sshdLogTail(setup.dir)}`);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = sshdPid(setup.dir);
    if (pid !== undefined) return pid;
    if (Date.now() > deadline) throw new TestHostsTimeoutError(`sshd ${setup.host}`, `sshd start (log: ${sshdLogTail(setup.dir, 3)})`, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Stops the listening sshd (SIGTERM, then SIGKILL); sessions it already forked live on, as with `systemctl stop ssh`. */
export async function stopSshd(setup: Pick<SshdSetup, "host" | "dir">): Promise<void> {
  const pid = sshdPid(setup.dir);
  if (pid === undefined) return;
  process.kill(pid, "SIGTERM");
  try {
    await waitGone([pid], `sshd ${setup.host}`, 5_000);
  } catch {
    process.kill(pid, "SIGKILL");
    await waitGone([pid], `sshd ${setup.host}`, 5_000);
  }
  rmSync(sshdFiles(setup.dir).pidFile, { force: true });
}
