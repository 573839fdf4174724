/**
 * One open SSH connection to a host, carrying everything done there:
 * commands, atomic uploads, and port forwards to the host's loopback.
 * Made by {@link connectHost}.
 */
import { EventEmitter } from "node:events";
import type { Server } from "node:net";
import type { Duplex } from "node:stream";
import type { Client, ClientChannel } from "ssh2";
import type { ResolvedHost } from "./config/resolve-host.ts";
import { type HostLabel, SshClosedError, SshExecError, SshForwardError } from "./errors.ts";
import { pipedServer } from "./piped-server.ts";
import { type UploadOptions, type UploadSource, uploadOver } from "./upload.ts";

/** Options of {@link SshHost.exec}. */
export interface ExecOptions {
  /** Bytes (or UTF-8 text) written to the command's stdin, which is then closed. */
  stdin?: Uint8Array | string;
  /** The most bytes kept of stdout and of stderr each (default 4 MiB); beyond it output is dropped and `truncated` set. */
  maxOutputBytes?: number;
  /**
   * The command may run more than once: when its exit status does not come
   * back (it is optional in SSH, and a loaded sshd may drop it), it is run
   * again, twice at most.
   */
  idempotent?: boolean;
}

/** What a command did. */
export interface ExecResult {
  /** Its exit status; null when it was ended by a signal. */
  code: number | null;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  /** Whether stdout or stderr went past `maxOutputBytes` and was cut. */
  truncated: boolean;
}

/** A loopback listener here whose connections reach a port on the host. */
export interface LocalListener {
  /** The port on 127.0.0.1 of this machine. */
  port: number;
  /** Stops listening and ends the connections it carries. */
  close(): Promise<void>;
}

/** How long {@link SshHost.close} waits for the host to end the connection before dropping it, ms. */
export const CLOSE_GRACE_MS = 2000;

/** Why the connection ended: undefined error when it was closed on purpose. */
export interface ClosedInfo {
  error: Error | undefined;
}

/** Counters of what went over the connection, to check that nothing is re-sent. */
export interface SshHostStats {
  execs: number;
  uploads: number;
  uploadedBytes: number;
}

const DEFAULT_MAX_OUTPUT = 4 << 20;

/** A live SSH connection to one host. Emits `close` ({@link ClosedInfo}) once when it ends. */
export class SshHost extends EventEmitter {
  /** The alias as given, e.g. `gpu-box`. */
  readonly alias: string;
  /** What `~/.ssh/config` said about it. */
  readonly resolved: ResolvedHost;
  /** Resolves once when the connection has ended, for any reason. */
  readonly closed: Promise<ClosedInfo>;
  /** The host key the host presented (an SSH public key blob), checked against known_hosts as it connected. */
  readonly hostKey: Buffer;
  readonly stats: SshHostStats = { execs: 0, uploads: 0, uploadedBytes: 0 };
  readonly #client: Client;
  readonly #jump: SshHost | undefined;
  /** The stream the connection runs on (a TCP socket, or a jump host's channel). */
  readonly #sock: { destroy(): void } | undefined;
  readonly #listeners = new Set<Server>();
  #isClosed = false;
  #error: Error | undefined;

  /** @internal Use {@link connectHost}. */
  constructor(client: Client, resolved: ResolvedHost, jump: SshHost | undefined, hostKey: Buffer, sock?: { destroy(): void }) {
    super();
    this.hostKey = hostKey;
    this.#client = client;
    this.#sock = sock;
    this.resolved = resolved;
    this.alias = resolved.alias;
    this.#jump = jump;
    this.closed = new Promise((resolve) => {
      client.on("error", (e) => {
        this.#error ??= e;
      });
      client.once("close", () => {
        this.#isClosed = true;
        for (const server of this.#listeners) server.close();
        this.#jump?.close().catch(() => {});
        const info = { error: this.#error };
        resolve(info);
        this.emit("close", info);
      });
    });
    jump?.closed.then(({ error }) => {
      this.#error ??= error ?? new Error(`the jump host ${jump.alias} closed`);
      client.end();
    });
  }

  /** The alias and address, for messages. */
  get label(): HostLabel {
    return { alias: this.alias, hostName: this.resolved.hostName, port: this.resolved.port };
  }

  /** Whether the connection has ended. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  #assertOpen(what: string): void {
    if (this.#isClosed) throw new SshClosedError(this.label, what, { cause: this.#error });
  }

  /** Opens a session channel running `command` through the login shell. */
  openExec(command: string): Promise<ClientChannel> {
    this.#assertOpen("run a command");
    this.stats.execs++;
    return new Promise((resolve, reject) => {
      this.#client.exec(command, (err, channel) => {
        if (err) {
          reject(
            this.#isClosed
              ? new SshClosedError(this.label, "run a command", { cause: err })
              : new SshExecError(this.label, `cannot run a command: ${err.message}`, { cause: err }),
          );
        } else resolve(channel);
      });
    });
  }

  /**
   * Runs `command` in the login's shell on the host (starting in its home
   * folder) and collects its exit status and output.
   *
   * @example
   * const { code, stdout } = await host.exec("uname -sm");
   */
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    let result = await this.#execOnce(command, options);
    for (let again = 0; options.idempotent && result.code === null && !result.signal && again < 2; again++) result = await this.#execOnce(command, options);
    return result;
  }

  async #execOnce(command: string, options: ExecOptions): Promise<ExecResult> {
    const channel = await this.openExec(command);
    const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let truncated = false;
    const keep = (into: Buffer[], used: number, chunk: Buffer): number => {
      const room = limit - used;
      if (chunk.length > room) truncated = true;
      if (room > 0) into.push(room >= chunk.length ? chunk : chunk.subarray(0, room));
      return used + Math.min(room, chunk.length);
    };
    return new Promise((resolve, reject) => {
      let code: number | null | undefined;
      let signal: string | undefined;
      channel.on("data", (c: Buffer) => (outBytes = keep(out, outBytes, c)));
      channel.stderr.on("data", (c: Buffer) => (errBytes = keep(err, errBytes, c)));
      channel.on("exit", (c: number | null, s?: string) => {
        code = c;
        signal = s ?? undefined;
      });
      channel.on("close", () => {
        if (code === undefined && this.#isClosed) {
          reject(new SshClosedError(this.label, `finish ${JSON.stringify(command.slice(0, 60))}`, { cause: this.#error }));
          return;
        }
        resolve({
          code: code ?? null,
          signal,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
          truncated,
        });
      });
      channel.end(options.stdin);
    });
  }

  /**
   * Writes `data` to `remotePath` on the host whole or not at all: to a temp
   * name beside it, checked for length, then renamed over it. Missing folders
   * are made (0700). A full disk is an `E_SSH_DISK_FULL` error naming the folder.
   */
  async upload(remotePath: string, data: UploadSource, options: UploadOptions = {}): Promise<{ bytes: number }> {
    this.#assertOpen(`upload ${remotePath}`);
    const result = await uploadOver(this, remotePath, data, options);
    this.stats.uploads++;
    this.stats.uploadedBytes += result.bytes;
    return result;
  }

  /**
   * A stream to `127.0.0.1:port` on the host, through this connection (one
   * TCP connection there, e.g. for a WebSocket).
   */
  forward(port: number): Promise<Duplex> {
    this.#assertOpen(`forward to port ${port}`);
    return new Promise((resolve, reject) => {
      this.#client.forwardOut("127.0.0.1", 0, "127.0.0.1", port, (err, channel) => {
        if (err) reject(this.#isClosed ? new SshClosedError(this.label, `forward to port ${port}`, { cause: err }) : new SshForwardError(this.label, port, { cause: err }));
        else resolve(channel);
      });
    });
  }

  /** @internal A stream to any `host:port` the host can reach (for ProxyJump). */
  forwardTo(hostName: string, port: number): Promise<Duplex> {
    this.#assertOpen(`forward to ${hostName}:${port}`);
    return new Promise((resolve, reject) => {
      this.#client.forwardOut("127.0.0.1", 0, hostName, port, (err, channel) => (err ? reject(err) : resolve(channel)));
    });
  }

  /**
   * Listens on 127.0.0.1 (a free port) here; each connection made to it is
   * carried through this SSH connection to `127.0.0.1:remotePort` on the host.
   */
  async listenLocal(remotePort: number): Promise<LocalListener> {
    this.#assertOpen(`forward to port ${remotePort}`);
    const { server, sockets } = pipedServer(() => this.forward(remotePort));
    this.#listeners.add(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    return {
      port,
      close: () =>
        new Promise<void>((resolve) => {
          this.#listeners.delete(server);
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  }

  /**
   * Ends the connection (and the jump hosts' under it); resolves once it is closed. A host that does not
   * answer the goodbye within {@link CLOSE_GRACE_MS} (a link that is down: TCP would retry for minutes)
   * has its connection dropped here.
   */
  async close(): Promise<void> {
    if (this.#isClosed) return void (await this.closed);
    this.#client.end();
    // ssh2's destroy() does nothing once end() made the socket unwritable: the socket itself is destroyed.
    const drop = setTimeout(() => (this.#sock ? this.#sock.destroy() : this.#client.destroy()), CLOSE_GRACE_MS);
    await this.closed;
    clearTimeout(drop);
  }
}
