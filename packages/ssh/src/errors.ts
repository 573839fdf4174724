/**
 * Every error this package raises on purpose. Each has a literal `code` so
 * callers can branch on it, and a message that reads
 * `[ssh] [<alias> (<host>:<port>)] <what was wrong>. <what to do>`.
 */

/** The codes of {@link SshError}s. */
export type SshErrorCode =
  | "E_SSH_CONFIG"
  | "E_SSH_KEY"
  | "E_SSH_DNS"
  | "E_SSH_REFUSED"
  | "E_SSH_UNREACHABLE"
  | "E_SSH_TIMEOUT"
  | "E_SSH_AUTH"
  | "E_SSH_HOST_KEY_UNKNOWN"
  | "E_SSH_HOST_KEY_CHANGED"
  | "E_SSH_CONNECTION"
  | "E_SSH_CLOSED"
  | "E_SSH_EXEC"
  | "E_SSH_FORWARD"
  | "E_SSH_UPLOAD"
  | "E_SSH_DISK_FULL"
  | "E_SSH_NO_RUNTIME"
  | "E_SSH_AGENT_START";

/** Base class of every error this package raises on purpose. */
export class SshError extends Error {
  readonly code: SshErrorCode;
  constructor(code: SshErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Where a host alias led: its name as the user wrote it and the address it resolved to. */
export interface HostLabel {
  alias: string;
  hostName: string;
  port: number;
}

/** `[ssh] [gpu-box (10.0.0.2:22)]`: the prefix of every message about one host. */
export const hostPrefix = (h: HostLabel): string =>
  h.alias === h.hostName && h.port === 22 ? `[ssh] [${h.alias}]` : `[ssh] [${h.alias} (${h.hostName}:${h.port})]`;

/** `~/.ssh/config` (or a file it includes) cannot be read or holds a value that cannot be used. */
export class SshConfigError extends SshError {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, problem: string, options?: { cause?: unknown }) {
    super("E_SSH_CONFIG", `[ssh] [config] ${file}${line === undefined ? "" : `:${line}`}: ${problem}`, options);
    this.file = file;
    this.line = line;
  }
}

/** A private key cannot be used: encrypted with no ssh-agent to hold it, unreadable, or not a key. */
export class SshKeyError extends SshError {
  readonly keyFile: string;
  constructor(host: HostLabel, keyFile: string, problem: string, options?: { cause?: unknown }) {
    super("E_SSH_KEY", `${hostPrefix(host)} ${problem}`, options);
    this.keyFile = keyFile;
  }
}

/** The host's name does not resolve to an address. */
export class SshDnsError extends SshError {
  constructor(host: HostLabel, options?: { cause?: unknown }) {
    super(
      "E_SSH_DNS",
      `${hostPrefix(host)} cannot resolve the host name ${JSON.stringify(host.hostName)}. ` +
        `Check the spelling of "${host.alias}" and its HostName in ~/.ssh/config, and this machine's DNS.`,
      options,
    );
  }
}

/** Nothing listens on the host's SSH port (the connection was refused). */
export class SshRefusedError extends SshError {
  constructor(host: HostLabel, options?: { cause?: unknown }) {
    super(
      "E_SSH_REFUSED",
      `${hostPrefix(host)} connection refused on port ${host.port}: no SSH server listens there. ` +
        "Check that sshd runs on the host and the Port in ~/.ssh/config.",
      options,
    );
  }
}

/** No route to the host (network unreachable, host down and reported so by a router). */
export class SshUnreachableError extends SshError {
  constructor(host: HostLabel, options?: { cause?: unknown }) {
    super(
      "E_SSH_UNREACHABLE",
      `${hostPrefix(host)} no route to ${host.hostName}:${host.port}. Check that the host is up and this machine's network.`,
      options,
    );
  }
}

/** The host did not answer (or did not finish the SSH handshake) within the connect timeout. */
export class SshTimeoutError extends SshError {
  readonly timeoutMs: number;
  constructor(host: HostLabel, timeoutMs: number, stage: string, options?: { cause?: unknown }) {
    super(
      "E_SSH_TIMEOUT",
      `${hostPrefix(host)} no answer within ${timeoutMs / 1000} s (${stage}). ` +
        "Check that the host is up and reachable from here (VPN, firewall), or raise the connect timeout.",
      options,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The host refused every key offered (from ssh-agent and the key files). */
export class SshAuthError extends SshError {
  constructor(host: HostLabel, user: string, tried: readonly string[], options?: { cause?: unknown; hostSaid?: string }) {
    super(
      "E_SSH_AUTH",
      `${hostPrefix(host)} the host refused every key for user ${JSON.stringify(user)} ` +
        `(tried: ${tried.length === 0 ? "none" : tried.join(", ")}${options?.hostSaid ? `; the host said: ${options.hostSaid}` : ""}). ` +
        `Add your public key to ~${user}/.ssh/authorized_keys on the host (ssh-copy-id ${host.alias}), ` +
        "load the right key into ssh-agent (ssh-add), or set User and IdentityFile in ~/.ssh/config.",
      options,
    );
  }
}

/** The host's key is in no known_hosts file: it is refused until the user trusts it. */
export class SshHostKeyUnknownError extends SshError {
  readonly fingerprint: string;
  readonly trustCommand: string;
  constructor(host: HostLabel, keyType: string, fingerprint: string, trustCommand: string, files: readonly string[]) {
    super(
      "E_SSH_HOST_KEY_UNKNOWN",
      `${hostPrefix(host)} unknown host key (${keyType} ${fingerprint}): it is in none of ${files.join(", ")}. ` +
        `If you trust this host, add its key with: ${trustCommand}`,
    );
    this.fingerprint = fingerprint;
    this.trustCommand = trustCommand;
  }
}

/** The host's key differs from the one known_hosts holds for it: possibly an attack, refused. */
export class SshHostKeyChangedError extends SshError {
  readonly fingerprint: string;
  readonly knownHostsFile: string;
  readonly knownHostsLine: number;
  readonly trustCommand: string;
  constructor(
    host: HostLabel,
    keyType: string,
    fingerprint: string,
    where: { file: string; line: number; revoked: boolean },
    trustCommand: string,
  ) {
    super(
      "E_SSH_HOST_KEY_CHANGED",
      `${hostPrefix(host)} WARNING: THE HOST KEY HAS ${where.revoked ? "BEEN REVOKED" : "CHANGED"}. ` +
        `The host offers ${keyType} ${fingerprint}, but ${where.file}:${where.line} ` +
        `${where.revoked ? "marks this key @revoked" : "holds another key for it"}. ` +
        "Someone may be intercepting the connection, or the host was reinstalled. Connection refused. " +
        `Only if you know why the key changed, replace the old entry with: ${trustCommand}`,
    );
    this.fingerprint = fingerprint;
    this.knownHostsFile = where.file;
    this.knownHostsLine = where.line;
    this.trustCommand = trustCommand;
  }
}

/** Any other failure of the SSH connection (protocol error, the host hung up during the handshake). */
export class SshConnectionError extends SshError {
  constructor(host: HostLabel, problem: string, options?: { cause?: unknown }) {
    super("E_SSH_CONNECTION", `${hostPrefix(host)} ${problem}`, options);
  }
}

/** An operation was asked of a connection that has closed. */
export class SshClosedError extends SshError {
  constructor(host: HostLabel, what: string, options?: { cause?: unknown }) {
    super(
      "E_SSH_CLOSED",
      `${hostPrefix(host)} cannot ${what}: the SSH connection is closed. Connect again with connectHost().`,
      options,
    );
  }
}

/** A command could not be run on the host (the channel was refused or broke). */
export class SshExecError extends SshError {
  constructor(host: HostLabel, problem: string, options?: { cause?: unknown }) {
    super("E_SSH_EXEC", `${hostPrefix(host)} ${problem}`, options);
  }
}

/** A port forward to the host's loopback failed (nothing listens there, or the host forbids forwarding). */
export class SshForwardError extends SshError {
  readonly remotePort: number;
  constructor(host: HostLabel, remotePort: number, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? options.cause.message : String(options?.cause ?? "");
    super(
      "E_SSH_FORWARD",
      `${hostPrefix(host)} cannot forward to 127.0.0.1:${remotePort} on the host (${reason}). ` +
        "Check that a server listens on that port there and that sshd allows TCP forwarding (AllowTcpForwarding).",
      options,
    );
    this.remotePort = remotePort;
  }
}

/** A file could not be written on the host. */
export class SshUploadError extends SshError {
  readonly remotePath: string;
  constructor(host: HostLabel, remotePath: string, problem: string, options?: { cause?: unknown }) {
    super("E_SSH_UPLOAD", `${hostPrefix(host)} cannot write ${remotePath}: ${problem}`, options);
    this.remotePath = remotePath;
  }
}

/** The host's disk has no room for what must be written there. */
export class SshDiskFullError extends SshError {
  readonly folder: string;
  constructor(host: HostLabel, folder: string, detail: string, options?: { cause?: unknown }) {
    super(
      "E_SSH_DISK_FULL",
      `${hostPrefix(host)} the disk holding ${folder} is full (${detail}). Free some space on the host and run again.`,
      options,
    );
    this.folder = folder;
  }
}

/** The host has neither bun nor node >= 20, and no Bun build for its architecture is installed here. */
export class SshNoRuntimeError extends SshError {
  constructor(host: HostLabel, problem: string) {
    super("E_SSH_NO_RUNTIME", `${hostPrefix(host)} ${problem}`);
  }
}

/** The agent was started on the host but did not come up. */
export class SshAgentStartError extends SshError {
  readonly logTail: string;
  constructor(host: HostLabel, problem: string, logFile: string, logTail: string) {
    super(
      "E_SSH_AGENT_START",
      `${hostPrefix(host)} ${problem}. The end of its log (${logFile}):\n${logTail.trimEnd() || "(empty)"}`,
    );
    this.logTail = logTail;
  }
}
