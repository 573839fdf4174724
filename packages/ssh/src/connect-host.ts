/**
 * Opening an SSH connection to a host named as in `~/.ssh/config`, with its
 * keys, its known_hosts check and its jump hosts, failing within a bounded
 * time with an error that says which of DNS, refused, timeout, auth or host
 * key went wrong.
 */
import { join } from "node:path";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import ssh2 from "ssh2";
import { type ResolvedHost, resolveHost } from "./config/resolve-host.ts";
import { loadSshConfig } from "./config/load-config.ts";
import {
  type HostLabel,
  SshAuthError,
  SshConfigError,
  SshConnectionError,
  SshError,
  SshHostKeyChangedError,
  SshHostKeyUnknownError,
  SshRefusedError,
  SshTimeoutError,
} from "./errors.ts";
import { planAuth } from "./identities.ts";
import { checkHostKey, fingerprint, type HostKeyVerdict, hostKeyAlgorithms, keyTypeOf, knownHostsName } from "./known-hosts.ts";
import { shellQuote } from "./shell-quote.ts";
import { SshHost } from "./ssh-host.ts";
import { tcpConnect } from "./tcp-connect.ts";

/** Options of {@link connectHost}. */
export interface ConnectOptions {
  /** The most time for each hop to answer and finish the handshake and login (default ConnectTimeout, else 10 s). */
  timeoutMs?: number;
  /** How often to check an idle connection is alive (default ServerAliveInterval, else 15 s; 0 = never). */
  keepaliveIntervalMs?: number;
  /** Unanswered checks before the connection counts as dropped (default ServerAliveCountMax, else 3). */
  keepaliveCountMax?: number;
  /** The environment to read HOME and SSH_AUTH_SOCK from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const labelOf = (h: ResolvedHost): HostLabel => ({ alias: h.alias, hostName: h.hostName, port: h.port });

function trustCommand(h: ResolvedHost, viaJump: boolean, files: string[]): string {
  const file = files[0] ?? "~/.ssh/known_hosts";
  if (viaJump || h.hostKeyAlias !== undefined) return `ssh ${h.alias} true   (answer "yes" after checking the fingerprint; it writes ${file})`;
  const port = h.port === 22 ? "" : `-p ${h.port} `;
  return `ssh-keyscan -H ${port}${shellQuote(h.hostName)} >> ${shellQuote(file)}   (or check it interactively: ssh ${h.alias} true)`;
}

function hostKeyError(h: ResolvedHost, key: Buffer, verdict: Exclude<HostKeyVerdict, { kind: "trusted" }>, viaJump: boolean): SshError {
  const files = h.userKnownHostsFiles;
  const type = keyTypeOf(key);
  if (verdict.kind === "unknown") return new SshHostKeyUnknownError(labelOf(h), type, fingerprint(key), trustCommand(h, viaJump, files), [...files, ...h.globalKnownHostsFiles]);
  const name = h.hostKeyAlias ?? knownHostsName(h.hostName, h.port);
  const remove = `ssh-keygen -R ${shellQuote(name)} -f ${shellQuote(verdict.file)} && ${trustCommand(h, viaJump, [verdict.file])}`;
  return new SshHostKeyChangedError(labelOf(h), type, fingerprint(key), verdict, remove);
}

/** The SSH session on an open byte stream: known_hosts checked, keys offered. */
function handshake(h: ResolvedHost, sock: Socket | Duplex, options: ConnectOptions, timeoutMs: number, deadline: number, jump: SshHost | undefined): Promise<SshHost> {
  const label = labelOf(h);
  let auth: ReturnType<typeof planAuth>;
  try {
    auth = planAuth(h, label);
  } catch (e) {
    sock.destroy();
    return Promise.reject(e);
  }
  const files = [...h.userKnownHostsFiles, ...h.globalKnownHostsFiles];
  const name = h.hostKeyAlias ?? knownHostsName(h.hostName, h.port);
  const client = new ssh2.Client();
  let refusedKey: { key: Buffer; verdict: Exclude<HostKeyVerdict, { kind: "trusted" }> } | undefined;
  let trustedKey: Buffer | undefined;
  return new Promise<SshHost>((resolve, reject) => {
    let settled = false;
    const fail = (e: SshError) => {
      if (settled) return;
      settled = true;
      client.end();
      (sock as Duplex).destroy();
      reject(e);
    };
    let handshakeDone = false;
    client.once("handshake", () => (handshakeDone = true));
    client.once("ready", () => {
      settled = true;
      resolve(new SshHost(client, h, jump, trustedKey!, sock));
    });
    client.on("error", (err: Error & { level?: string }) => {
      if (refusedKey !== undefined) return fail(hostKeyError(h, refusedKey.key, refusedKey.verdict, jump !== undefined));
      if (err.level === "client-timeout") return fail(new SshTimeoutError(label, timeoutMs, "SSH handshake and login", { cause: err }));
      if (err.level === "client-authentication" || err.level === "agent") return fail(new SshAuthError(label, h.user, auth.offered, { cause: err }));
      // Keys exchanged but not logged in: the host hung up on the keys offered (MaxAuthTries).
      if (handshakeDone) return fail(new SshAuthError(label, h.user, auth.offered, { cause: err, hostSaid: err.message }));
      fail(new SshConnectionError(label, `the SSH handshake failed: ${err.message}. Check that an SSH server listens on port ${h.port}.`, { cause: err }));
    });
    client.once("close", () => {
      if (refusedKey !== undefined) return fail(hostKeyError(h, refusedKey.key, refusedKey.verdict, jump !== undefined));
      fail(new SshConnectionError(label, "the host closed the connection during the SSH handshake. Check that it is an SSH server and its logs (sshd MaxStartups, AllowUsers)."));
    });
    client.connect({
      sock: sock as Socket,
      username: h.user,
      authHandler: auth.methods,
      // What is left of the connect timeout after the TCP connection (or the jump's forward).
      readyTimeout: Math.max(1, deadline - Date.now()),
      keepaliveInterval: options.keepaliveIntervalMs ?? h.serverAliveIntervalMs ?? 15_000,
      keepaliveCountMax: options.keepaliveCountMax ?? h.serverAliveCountMax ?? 3,
      algorithms: { serverHostKey: hostKeyAlgorithms(files, name) as ssh2.ServerHostKeyAlgorithm[] },
      hostVerifier: (key: Buffer) => {
        const verdict = checkHostKey(files, name, key);
        if (verdict.kind === "trusted") {
          trustedKey = Buffer.from(key);
          return true;
        }
        refusedKey = { key, verdict };
        return false;
      },
    });
  });
}

const MAX_JUMP_DEPTH = 8;

async function connectResolved(h: ResolvedHost, options: ConnectOptions, viaJumps: boolean, depth = 0): Promise<SshHost> {
  const timeoutMs = options.timeoutMs ?? h.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (h.proxyJump.length === 0 || viaJumps) {
    const deadline = Date.now() + timeoutMs;
    return handshake(h, await tcpConnect(labelOf(h), timeoutMs), options, timeoutMs, deadline, undefined);
  }
  if (depth >= MAX_JUMP_DEPTH) {
    throw new SshConfigError(join(h.home, ".ssh", "config"), undefined, `ProxyJump of ${h.alias} leads through more than ${MAX_JUMP_DEPTH} jump hosts: does a jump host name itself?`);
  }
  // ProxyJump a,b: a as its own config says, b through a, the target through b.
  let jump: SshHost | undefined;
  try {
    for (const [i, hop] of h.proxyJump.entries()) {
      const resolved = resolveHost(hop.host, { env: options.env, loaded: loadSshConfig(h.home) });
      const hopHost = { ...resolved, user: hop.user ?? resolved.user, port: hop.port ?? resolved.port };
      jump = i === 0 ? await connectResolved(hopHost, options, false, depth + 1) : await through(jump!, hopHost, options, timeoutMs);
    }
    return await through(jump!, h, options, timeoutMs);
  } catch (e) {
    await jump?.close();
    throw e;
  }
}

async function through(jump: SshHost, h: ResolvedHost, options: ConnectOptions, timeoutMs: number): Promise<SshHost> {
  const deadline = Date.now() + timeoutMs;
  let stream: Duplex;
  try {
    const opening = jump.forwardTo(h.hostName, h.port);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // A channel that opens after all is closed at once.
        opening.then((late) => late.destroy(), () => {});
        reject(new SshTimeoutError(labelOf(h), timeoutMs, `opening a channel through ${jump.alias}`));
      }, timeoutMs);
    });
    stream = await Promise.race([opening, timeout]).finally(() => clearTimeout(timer));
  } catch (cause) {
    if (cause instanceof SshTimeoutError) throw cause;
    const reason = (cause as Error).message;
    if (/refused/i.test(reason)) throw new SshRefusedError(labelOf(h), { cause });
    throw new SshConnectionError(labelOf(h), `the jump host ${jump.alias} cannot reach ${h.hostName}:${h.port} (${reason}). Check the name and port, and that ${jump.alias} allows TCP forwarding.`, { cause });
  }
  return handshake(h, stream, options, timeoutMs, deadline, jump);
}

/**
 * Connects to the host named `alias` in `~/.ssh/config` (or a plain host
 * name): through its ProxyJump hosts, checking known_hosts, offering the
 * agent's keys and the key files. Fails within the timeout with a named
 * error: `E_SSH_DNS`, `E_SSH_REFUSED`, `E_SSH_TIMEOUT`, `E_SSH_AUTH`,
 * `E_SSH_HOST_KEY_UNKNOWN`, `E_SSH_HOST_KEY_CHANGED`, ...
 *
 * @example
 * const host = await connectHost("gpu-box");
 * const { stdout } = await host.exec("nvidia-smi -L");
 * await host.close();
 */
export async function connectHost(alias: string, options: ConnectOptions = {}): Promise<SshHost> {
  return connectResolved(resolveHost(alias, { env: options.env }), options, false);
}
