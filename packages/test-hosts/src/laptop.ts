/**
 * The controller's machine: a namespace with the laptop's address, and a home
 * folder holding the SSH client setup a user would have: `.ssh/config` (one
 * Host alias per host), `.ssh/known_hosts` (hashed entries) and an ed25519 key.
 * Programs run here as root with HOME set to that folder.
 *
 * OpenSSH's client takes `~` from the password database, not from HOME, so
 * the config names its files by absolute path, and `ssh`, `scp` and `sftp`
 * on the laptop's PATH are wrappers that pass `-F <home>/.ssh/config`.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "@lit-app/runtime";
import { collect, runOk, type ExecResult } from "./command.ts";
import { LaptopFetchError } from "./errors.ts";
import { hashedKnownHostsLine, lineNames } from "./known-hosts.ts";
import { Machine, type InstanceState } from "./machine.ts";
import { systemTools } from "./system.ts";

/** A host as the laptop's SSH setup sees it. */
export interface SshTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly hostPublicKey: string;
}

/** Options of a program started on the laptop. */
export interface LaptopSpawnOptions {
  /** Its working directory. Default: this process's. */
  readonly cwd?: string;
  /** Variables added to (or, when undefined, removed from) the laptop's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** As node's spawn takes it. Default "pipe". */
  readonly stdio?: StdioOptions;
}

/** Options of a program run to its end on the laptop. */
export interface LaptopExecOptions extends Omit<LaptopSpawnOptions, "stdio"> {
  /** Written to its standard input, which is then closed. */
  readonly input?: string | Uint8Array;
  /** Killed and rejected after this long. Default 60 000 ms. */
  readonly timeoutMs?: number;
}

/** What {@link Laptop.fetch} sends. */
export interface LaptopFetchInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Rejected after this long. Default 30 000 ms. */
  readonly timeoutMs?: number;
}

/** What {@link Laptop.fetch} got. */
export interface LaptopFetchResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Runs in the laptop's namespace: one fetch, request from stdin, response to stdout as JSON. */
const fetchScript = `
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { url, init } = JSON.parse(input);
try {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs) });
  const body = await response.text();
  process.stdout.write(JSON.stringify({ status: response.status, headers: Object.fromEntries(response.headers), body }));
} catch (error) {
  process.stderr.write(String(error?.cause?.code ?? error?.cause?.message ?? error?.message ?? error));
  process.exitCode = 1;
}`;

/** The controller side of the harness; see the module comment. */
export class Laptop extends Machine {
  /** The laptop's HOME. */
  readonly home: string;
  /** `<home>/.ssh/config`: one Host block per host (HostName, Port, User, IdentityFile), then `Host *` defaults. */
  readonly sshConfigPath: string;
  /** `<home>/.ssh/known_hosts`, hashed entries. */
  readonly knownHostsPath: string;
  /** The private key every host authorizes: `<home>/.ssh/id_ed25519`. */
  readonly identityFile: string;
  /** Wrappers of ssh, scp and sftp that read the laptop's config; first on the laptop's PATH. */
  readonly binDir: string;
  #targets: SshTarget[] = [];

  /** @internal */
  constructor(state: InstanceState, namespace: string, address: string, link: string, home: string) {
    super(state, "laptop", namespace, address, link);
    this.home = home;
    this.sshConfigPath = join(home, ".ssh", "config");
    this.knownHostsPath = join(home, ".ssh", "known_hosts");
    this.identityFile = join(home, ".ssh", "id_ed25519");
    this.binDir = join(home, "bin");
  }

  /** @internal Makes the home, the key and the wrappers. */
  async prepare(): Promise<void> {
    mkdirSync(join(this.home, ".ssh"), { recursive: true, mode: 0o700 });
    chmodSync(this.home, 0o700);
    await runOk(systemTools().sshKeygen, ["-q", "-t", "ed25519", "-N", "", "-C", "laptop of lit-app test hosts", "-f", this.identityFile], "laptop");
    mkdirSync(this.binDir, { recursive: true, mode: 0o755 });
    const { ssh, scp } = systemTools();
    const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
    const wrappers: Record<string, string> = {
      ssh: `exec ${quote(ssh)} -F ${quote(this.sshConfigPath)} "$@"`,
      scp: `exec ${quote(scp)} -F ${quote(this.sshConfigPath)} "$@"`,
      sftp: `exec ${quote(join(scp, "..", "sftp"))} -F ${quote(this.sshConfigPath)} "$@"`,
    };
    for (const [name, line] of Object.entries(wrappers)) {
      writeFileSync(join(this.binDir, name), `#!/bin/sh\n# ${name} with the test hosts' client config\n${line}\n`, { mode: 0o755 });
    }
  }

  /** @internal Writes the config and known_hosts for `targets`. */
  writeSshSetup(targets: readonly SshTarget[]): void {
    this.#targets = [...targets];
    const blocks = targets.map((t) =>
      [`Host ${t.name}`, `  HostName ${t.address}`, `  Port ${t.port}`, `  User ${t.user}`, `  IdentityFile ${this.identityFile}`, ""].join("\n"),
    );
    const defaults = [
      "Host *",
      `  UserKnownHostsFile ${this.knownHostsPath}`,
      "  GlobalKnownHostsFile /dev/null",
      "  StrictHostKeyChecking yes",
      "  IdentitiesOnly yes",
      "  BatchMode yes",
      "  ConnectTimeout 10",
      "",
    ].join("\n");
    writeFileAtomicSync(this.sshConfigPath, `# The test hosts of ${this.namespace.replace(/-laptop$/, "")}\n\n${blocks.join("\n")}\n${defaults}`, { mode: 0o600 });
    writeFileAtomicSync(this.knownHostsPath, targets.map((t) => hashedKnownHostsLine(t.address, t.port, t.hostPublicKey)).join("\n") + "\n", { mode: 0o600 });
  }

  /**
   * The environment of laptop programs: this process's, with HOME, the
   * wrappers first on PATH, and neither ssh-agent nor the test runner's marks
   * (VITEST*, TEST, NODE_ENV=test), as in a user's shell.
   */
  get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: this.home, PATH: `${this.binDir}:${process.env.PATH ?? "/usr/bin:/bin"}` };
    for (const key of Object.keys(env)) if (key.startsWith("VITEST")) delete env[key];
    if (env.NODE_ENV === "test") delete env.NODE_ENV;
    delete env.TEST;
    delete env.SSH_AUTH_SOCK;
    delete env.SSH_AGENT_PID;
    return env;
  }

  /**
   * The argv and environment that run `file args` on the laptop, for callers
   * with their own spawner: `spawn(c.file, c.args, { env: c.env })`.
   */
  command(file: string, args: readonly string[] = [], env?: LaptopSpawnOptions["env"]): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
    this.assertOpen("command()");
    const merged = this.env;
    for (const [key, value] of Object.entries(env ?? {})) {
      if (value === undefined) delete merged[key];
      else merged[key] = value;
    }
    return { file: systemTools().ip, args: ["netns", "exec", this.namespace, file, ...args], env: merged };
  }

  /**
   * Starts `file args` on the laptop. The child's pid is the program's own
   * (`ip netns exec` execs it), so killing the child kills the program.
   *
   * @example
   * const cli = th.laptop.spawn("node", ["--import", "tsx", "packages/lit-app/src/cli/main.ts", "run", "app.ts", "--host", "gpu=gpu-box"]);
   */
  spawn(file: string, args: readonly string[] = [], options: LaptopSpawnOptions = {}): ChildProcess {
    const c = this.command(file, args, options.env);
    return spawn(c.file, c.args, { cwd: options.cwd, env: c.env, stdio: options.stdio ?? "pipe" });
  }

  /**
   * Runs `file args` on the laptop to its end; resolves with its exit and
   * output (a non-zero exit does not reject).
   *
   * @example
   * const { stdout } = await th.laptop.exec("ssh", ["gpu-box", "id", "-un"]);
   */
  exec(file: string, args: readonly string[] = [], options: LaptopExecOptions = {}): Promise<ExecResult> {
    const child = this.spawn(file, args, { cwd: options.cwd, env: options.env });
    return collect(child, "laptop", `\`${[file, ...args].join(" ")}\``, options);
  }

  /**
   * Fetches `url` from inside the laptop's namespace (where its 127.0.0.1 and
   * the hosts' addresses are; this process's network is not). The body is text.
   *
   * @example
   * const res = await th.laptop.fetch("http://127.0.0.1:4000/api/state");
   */
  async fetch(url: string, init: LaptopFetchInit = {}): Promise<LaptopFetchResponse> {
    const timeoutMs = init.timeoutMs ?? 30_000;
    const request = JSON.stringify({ url, init: { method: init.method, headers: init.headers, body: init.body, timeoutMs } });
    const result = await this.exec(process.execPath, ["--input-type=module", "-e", fetchScript], { input: request, timeoutMs: timeoutMs + 10_000 });
    if (result.code !== 0) throw new LaptopFetchError(url, result.stderr.trim() || `exit ${result.code}`);
    return JSON.parse(result.stdout) as LaptopFetchResponse;
  }

  /** Adds a hashed known_hosts entry with the host's current key (after {@link untrust}, or a host key replaced on purpose). */
  trust(host: SshTarget): void {
    this.untrust(host);
    const lines = this.#knownHosts();
    lines.push(hashedKnownHostsLine(host.address, host.port, host.hostPublicKey));
    writeFileAtomicSync(this.knownHostsPath, lines.join("\n") + "\n", { mode: 0o600 });
  }

  /** Removes the host's entries from known_hosts, so its key is unknown. */
  untrust(host: Pick<SshTarget, "address" | "port">): void {
    const lines = this.#knownHosts().filter((line) => !lineNames(line, host.address, host.port));
    writeFileAtomicSync(this.knownHostsPath, lines.length > 0 ? lines.join("\n") + "\n" : "", { mode: 0o600 });
  }

  /** The hosts the SSH setup names. */
  get targets(): readonly SshTarget[] {
    return this.#targets;
  }

  #knownHosts(): string[] {
    try {
      return readFileSync(this.knownHostsPath, "utf8").split("\n").filter((line) => line.trim() !== "");
    } catch {
      return [];
    }
  }
}
