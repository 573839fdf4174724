/**
 * Every error the test-hosts harness raises on purpose. Each has a literal
 * `code` so callers can branch on it, and a message that reads
 * `[test-hosts] [<host or stage>] <what was wrong>. <what to do>`.
 */

/** The codes of {@link TestHostsError}s. */
export type TestHostsErrorCode =
  | "E_UNAVAILABLE"
  | "E_BAD_SPEC"
  | "E_UNKNOWN_HOST"
  | "E_NO_SLOT"
  | "E_SETUP"
  | "E_COMMAND"
  | "E_TIMEOUT"
  | "E_FETCH"
  | "E_CLOSED";

/** Base class of every error this package raises on purpose. */
export class TestHostsError extends Error {
  readonly code: TestHostsErrorCode;
  constructor(code: TestHostsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** This machine cannot make test hosts: not root, a tool is missing, or network namespaces are refused. */
export class TestHostsUnavailableError extends TestHostsError {
  readonly reason: string;
  constructor(reason: string) {
    super(
      "E_UNAVAILABLE",
      `[test-hosts] cannot make test hosts here: ${reason}. ` +
        "Run as root on Linux with iproute2, openssh-server, openssh-client, passwd (useradd) and util-linux (setpriv) installed.",
    );
    this.reason = reason;
  }
}

/** A host spec (name, runtime, port, GPUs) is not valid. */
export class InvalidHostSpecError extends TestHostsError {
  constructor(what: string) {
    super("E_BAD_SPEC", `[test-hosts] invalid host spec: ${what}.`);
  }
}

/** `host(name)` asked for a host this harness did not make. */
export class UnknownHostError extends TestHostsError {
  constructor(name: string, known: readonly string[]) {
    super(
      "E_UNKNOWN_HOST",
      `[test-hosts] no host named ${JSON.stringify(name)}; this harness has ${known.map((k) => JSON.stringify(k)).join(", ") || "no hosts"}. ` +
        "Name it in startTestHosts({ hosts }).",
    );
  }
}

/** Every instance slot (0–255) is taken by a live harness. */
export class NoFreeSlotError extends TestHostsError {
  constructor() {
    super(
      "E_NO_SLOT",
      "[test-hosts] all 256 instance slots are taken by live harnesses. " +
        "Close some, or run `node --import tsx packages/test-hosts/src/cli.ts down` to remove them all.",
    );
  }
}

/** A system command the harness ran to build or tear down the hosts failed. */
export class SetupCommandError extends TestHostsError {
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(where: string, argv: readonly string[], exitCode: number | null, stderr: string, options?: { cause?: unknown }) {
    super(
      "E_SETUP",
      `[test-hosts] [${where}] \`${argv.join(" ")}\` failed (${exitCode === null ? "killed" : `exit ${exitCode}`}): ${stderr.trim() || "no output"}. ` +
        "Check that this machine has the tools and that no leftover of another run holds the name; " +
        "`node --import tsx packages/test-hosts/src/cli.ts clean` removes leftovers of killed runs.",
      options,
    );
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** A command run on a host through `output()` exited non-zero. */
export class HostCommandError extends TestHostsError {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  constructor(host: string, command: string, exitCode: number | null, stdout: string, stderr: string) {
    super(
      "E_COMMAND",
      `[test-hosts] [${host}] \`${command}\` failed (${exitCode === null ? "killed" : `exit ${exitCode}`}): ${stderr.trim() || stdout.trim() || "no output"}.`,
    );
    this.exitCode = exitCode;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

/** A command or a wait (sshd start, processes exiting) took longer than its limit. */
export class TestHostsTimeoutError extends TestHostsError {
  constructor(where: string, what: string, ms: number) {
    super("E_TIMEOUT", `[test-hosts] [${where}] ${what} did not finish within ${ms} ms.`);
  }
}

/** The harness was used after close(). */
export class TestHostsClosedError extends TestHostsError {
  constructor(what: string) {
    super("E_CLOSED", `[test-hosts] ${what} after close(). Start a new harness with startTestHosts().`);
  }
}

/** `laptop.fetch()` got no response: nothing listens, the connection broke, or the URL is bad. */
export class LaptopFetchError extends TestHostsError {
  constructor(url: string, reason: string) {
    super("E_FETCH", `[test-hosts] [laptop] fetch ${url} failed: ${reason}. Check that something listens there inside the laptop's namespace.`);
  }
}
