/**
 * One test host: a namespace with its own address, its own Unix user and home,
 * its own sshd, and a PATH holding the runtime it was given. The helpers here
 * act on the host directly (as its user, in its namespace), not through SSH:
 * they are for arranging a test and checking its outcome.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { readFileSync } from "node:fs";
import { collect, type ExecResult } from "./command.ts";
import { HostCommandError } from "./errors.ts";
import { Machine, type InstanceState } from "./machine.ts";
import { killUser, processesOf, type ProcessInfo } from "./processes.ts";
import type { HostRuntime } from "./runtimes.ts";
import { newHostKey, sshdFiles, sshdLogTail, sshdPid, startSshd, stopSshd, type SshdSetup } from "./sshd.ts";
import { systemTools } from "./system.ts";

/** Options of a command started on a host. */
export interface HostSpawnOptions {
  /** Variables added to the session environment (HOME, USER, LOGNAME, SHELL, PATH). */
  readonly env?: Readonly<Record<string, string>>;
  /** As node's spawn takes it. Default "pipe". */
  readonly stdio?: StdioOptions;
}

/** Options of a command run to its end on a host. */
export interface HostExecOptions {
  /** Variables added to the session environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to its standard input, which is then closed. */
  readonly input?: string | Uint8Array;
  /** Killed and rejected after this long. Default 60 000 ms. */
  readonly timeoutMs?: number;
}

/** What the harness knows of a host when it makes it. */
export interface TestHostInit {
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
  readonly link: string;
  readonly port: number;
  readonly runtime: HostRuntime;
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly path: string;
  readonly sshdDir: string;
}

/** A machine reached over SSH; see the module comment. */
export class TestHost extends Machine {
  /** Its sshd port (on {@link address}). */
  readonly port: number;
  /** The runtime its PATH holds. */
  readonly runtime: HostRuntime;
  /** Its Unix user (the `User` of its SSH alias). */
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
  /** The user's home: 0700, so no other host's user can read it. */
  readonly home: string;
  /** The PATH of its SSH sessions (and of {@link exec}). */
  readonly path: string;
  readonly #sshd: SshdSetup;

  /** @internal */
  constructor(state: InstanceState, init: TestHostInit) {
    super(state, init.name, init.namespace, init.address, init.link);
    this.port = init.port;
    this.runtime = init.runtime;
    this.user = init.user;
    this.uid = init.uid;
    this.gid = init.gid;
    this.home = init.home;
    this.path = init.path;
    this.#sshd = { host: init.name, ns: init.namespace, dir: init.sshdDir, address: init.address, port: init.port, user: init.user, path: init.path };
  }

  /** Its sshd's public host key ("ssh-ed25519 AAAA… comment"), as known_hosts holds it. */
  get hostPublicKey(): string {
    return readFileSync(sshdFiles(this.#sshd.dir).hostPublicKey, "utf8").trim();
  }

  /** The pid of its listening sshd, or undefined when stopped. */
  get sshdPid(): number | undefined {
    return sshdPid(this.#sshd.dir);
  }

  /** The last `lines` lines of its sshd's log (LogLevel VERBOSE). */
  sshdLog(lines = 50): string {
    return sshdLogTail(this.#sshd.dir, lines);
  }

  /** The session environment: what sshd gives a session of the user. */
  get env(): Record<string, string> {
    return { HOME: this.home, USER: this.user, LOGNAME: this.user, SHELL: "/bin/sh", PATH: this.path };
  }

  /**
   * Starts `/bin/sh -c command` as the host's user, in its namespace and home,
   * with the session environment. The child's pid is the shell's.
   */
  spawn(command: string, options: HostSpawnOptions = {}): ChildProcess {
    this.assertOpen("spawn()");
    const { ip, setpriv } = systemTools();
    const argv = ["netns", "exec", this.namespace, setpriv, `--reuid=${this.uid}`, `--regid=${this.gid}`, "--init-groups", "/bin/sh", "-c", command];
    return spawn(ip, argv, { cwd: this.home, env: { ...this.env, ...options.env }, stdio: options.stdio ?? "pipe" });
  }

  /**
   * Runs `/bin/sh -c command` as the host's user (see {@link spawn}) to its
   * end; a non-zero exit does not reject.
   *
   * @example
   * const { stdout } = await gpu.exec("ls ~/.lit");
   */
  exec(command: string, options: HostExecOptions = {}): Promise<ExecResult> {
    return collect(this.spawn(command, { env: options.env }), this.name, `\`${command}\``, options);
  }

  /** Like {@link exec}, but resolves with stdout and rejects with a {@link HostCommandError} on a non-zero exit. */
  async output(command: string, options: HostExecOptions = {}): Promise<string> {
    const result = await this.exec(command, options);
    if (result.code !== 0) throw new HostCommandError(this.name, command, result.code, result.stdout, result.stderr);
    return result.stdout;
  }

  /**
   * Writes a file in the user's home as the user (parents made, written to a
   * temp name then renamed). `relativePath` is relative to the home.
   *
   * @example
   * await gpu.writeFile(".lit/host.json", JSON.stringify({ gpus }));
   */
  async writeFile(relativePath: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
    const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
    const octal = mode.toString(8);
    await this.output(`f=${q(relativePath)}; d=$(dirname "$f"); mkdir -p "$d" && t="$f.$$.tmp" && cat > "$t" && chmod ${octal} "$t" && mv "$t" "$f"`, {
      input: data,
    });
  }

  /** The user's live processes (pid and command line), wherever they run. */
  processes(): ProcessInfo[] {
    return processesOf(this.uid);
  }

  /**
   * kill -9 the user's processes (those whose command line matches `match`,
   * or all), again until none is left; resolves with the pids killed. All of
   * them includes the user's side of every SSH session, which drops.
   */
  async killAll(options: { match?: RegExp } = {}): Promise<number[]> {
    this.assertOpen("killAll()");
    return killUser(this.uid, this.name, options.match);
  }

  /** Stops its listening sshd; connections are then refused. Open sessions live on. */
  async stopSshd(): Promise<void> {
    this.assertOpen("stopSshd()");
    await stopSshd(this.#sshd);
  }

  /** Starts its sshd (again); resolves once it listens. */
  async startSshd(): Promise<void> {
    this.assertOpen("startSshd()");
    await startSshd(this.#sshd);
  }

  /**
   * Gives its sshd a new host key and restarts it, so the laptop's known_hosts
   * entry no longer matches (a "changed host key"). `laptop.trust(host)` trusts the new one.
   */
  async replaceHostKey(): Promise<void> {
    this.assertOpen("replaceHostKey()");
    await stopSshd(this.#sshd);
    await newHostKey(this.#sshd);
    await startSshd(this.#sshd);
  }
}
