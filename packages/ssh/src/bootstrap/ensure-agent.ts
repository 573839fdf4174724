/**
 * Putting the lit agent on a host and starting it, idempotently: one probe
 * says what the host has; the runtime (when the host has neither bun nor
 * node >= 20) and the agent bundle are uploaded only when missing, both
 * content-addressed; the agent starts detached (`--detach`: its own session,
 * output to its log), so it outlives the SSH session. An agent of the same
 * version and bundle already running is left alone, and nothing is sent.
 */
import { posix } from "node:path";
import { SshAgentStartError, SshDiskFullError, SshNoRuntimeError } from "../errors.ts";
import { remotePathWord, shellQuote } from "../shell-quote.ts";
import type { SshHost } from "../ssh-host.ts";
import { exitText } from "../exit-text.ts";
import { bunInstallCommand, findBunRuntime, platformOf } from "./bun-runtime.ts";
import { parseAgentJson, probeHost, type HostProbe } from "./probe.ts";
import { type ProgressSink, terminalProgress } from "./progress.ts";

/** The agent as built by `buildAgentBundle()` of `@lit-app/gpu-agent`. */
export interface AgentBundleLike {
  code: Uint8Array;
  /** The sha256 of `code`, 64 lowercase hex characters. */
  hash: string;
  version: string;
}

/** Options of {@link ensureAgent}. */
export interface EnsureAgentOptions {
  bundle: AgentBundleLike;
  /** The lit home on the host (default `~/.lit`): runtimes/, bundles/, agent/. */
  home?: string;
  /** Progress: a sink, true for a bar on stderr, false for none (default: a bar when stderr is a terminal). */
  progress?: boolean | ProgressSink;
}

/** A running agent on the host, reachable through the host's SSH forward to `port`. */
export interface AgentEndpoint {
  /** Its port on the host's 127.0.0.1. */
  port: number;
  /** The bearer token it requires. */
  token: string;
  version: string;
  runtime: string;
  runtimeVersion: string;
  pid: number;
  /** Whether this call started it (false: it was already running). */
  started: boolean;
  /** What this call uploaded (remote paths); empty when nothing was sent. */
  uploaded: string[];
}

const MIN_NODE_MAJOR = 20;
const MARGIN = 1 << 20;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

interface Runtime {
  kind: "bun" | "node";
  /** The command on the host (absolute, or under the lit home). */
  command: string;
  upload?: { from: string; size: number; to: string; what: string };
}

function chooseRuntime(host: SshHost, probe: HostProbe, home: string): Runtime {
  if (probe.bun !== undefined) return { kind: "bun", command: probe.bun.path };
  const nodeMajor = probe.node === undefined ? 0 : Number(probe.node.version.split(".")[0]);
  if (probe.node !== undefined && nodeMajor >= MIN_NODE_MAJOR) return { kind: "node", command: probe.node.path };
  const found = probe.node === undefined ? "neither bun nor node is on its PATH" : `it has node ${probe.node.version} (older than ${MIN_NODE_MAJOR}) and no bun`;
  const platform = platformOf(probe.uname, probe.musl);
  if (platform === undefined) {
    throw new SshNoRuntimeError(host.label, `${found}, and Bun has no build for this host (${probe.uname || "unknown uname"}). Install node >= ${MIN_NODE_MAJOR} or bun on the host.`);
  }
  const bun = findBunRuntime(platform);
  if ("missing" in bun) {
    throw new SshNoRuntimeError(
      host.label,
      `${found}, so a Bun runtime must be uploaded, but the Bun build for ${probe.uname} (${bun.missing}) is not installed here. ` +
        `Install it here (${bunInstallCommand(platform)}), or install node >= ${MIN_NODE_MAJOR} or bun on the host.`,
    );
  }
  const to = posix.join(home, "runtimes", bun.name);
  return {
    kind: "bun",
    command: to,
    // A file of another size under that name (cut short by other means) is replaced.
    ...(probe.runtimes.get(bun.name) === bun.size ? {} : { upload: { from: bun.path, size: bun.size, to, what: `Bun ${bun.version} (${bun.name})` } }),
  };
}

async function send(host: SshHost, to: string, data: Uint8Array | AsyncIterable<Uint8Array>, size: number, what: string, mode: number, progress: ProgressSink | undefined): Promise<void> {
  const t = Date.now();
  await host.upload(to, data, { mode, onProgress: (sent) => progress?.({ kind: "upload", what, sent, total: size }) });
  progress?.({ kind: "uploaded", what, bytes: size, ms: Date.now() - t });
}

async function* fileChunks(path: string): AsyncIterable<Uint8Array> {
  const { createReadStream } = await import("node:fs");
  yield* createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>;
}

/** Starts the agent detached and reads what it printed, its token, or its log on failure. */
async function start(host: SshHost, home: string, runtime: Runtime, bundle: AgentBundleLike): Promise<Omit<AgentEndpoint, "uploaded">> {
  const script = [
    `H=${remotePathWord(home)}`,
    'case "$H" in /*) ;; *) H="$HOME/$H" ;; esac',
    `RT=${runtime.command.startsWith("/") ? shellQuote(runtime.command) : remotePathWord(runtime.command)}`,
    'case "$RT" in /*) ;; *) RT="$HOME/$RT" ;; esac',
    '"$RT" --version >/dev/null 2>&1 || { echo "cannot run $RT on this host" >&2; exit 5; }',
    `cd "$HOME" && "$RT" "$H/bundles/${bundle.hash}.mjs" --home "$H" --name ${shellQuote(host.alias)} --detach`,
    "rc=$?",
    'if [ $rc -ne 0 ]; then echo "@@log"; tail -n 30 "$H/agent/agent.log" 2>/dev/null; exit $rc; fi',
    'echo "@@tokenMode=$(ls -l "$H/agent/token" | cut -c1-10)"',
    'echo "@@token=$(head -c 100 "$H/agent/token" | tr -d \'\\n\')"',
  ].join("\n");
  const r = await host.exec(script, { maxOutputBytes: 256 << 10 });
  const logFile = posix.join(home, "agent", "agent.log");
  const lines = r.stdout.split("\n");
  if (r.code !== 0) {
    const logAt = lines.indexOf("@@log");
    const tail = logAt < 0 ? "" : lines.slice(logAt + 1).join("\n");
    const why = r.code === 5 ? `cannot run the runtime ${runtime.command} on the host` : `the agent did not start (${exitText(r)})`;
    throw new SshAgentStartError(host.label, `${why}: ${r.stderr.trim() || "no message"}`, logFile, tail);
  }
  const json = lines.find((l) => l.startsWith("{") && l.length <= 4096);
  let status: unknown;
  let info: ReturnType<typeof parseAgentJson>;
  try {
    const { status: s, ...rest } = JSON.parse(json ?? "null") as { status?: unknown };
    status = s;
    info = parseAgentJson(JSON.stringify(rest));
  } catch {
    info = undefined;
  }
  const token = lines.find((l) => l.startsWith("@@token="))?.slice("@@token=".length);
  const mode = lines.find((l) => l.startsWith("@@tokenMode="))?.slice("@@tokenMode=".length);
  if (info === undefined) throw new SshAgentStartError(host.label, `the agent printed no description of itself: ${JSON.stringify(r.stdout.slice(0, 300))}`, logFile, "");
  if (info.bundleHash !== undefined && info.bundleHash !== bundle.hash && info.version === bundle.version) {
    // The file under the bundle's name has other bytes: remove it, so that the next run sends it again.
    await host.exec(`rm -f -- ${remotePathWord(posix.join(home, "bundles", `${bundle.hash}.mjs`))}`);
    throw new SshAgentStartError(host.label, `the agent bundle on the host does not hash to ${bundle.hash} (it hashes to ${info.bundleHash}); it was removed, run again to send it anew`, logFile, "");
  }
  if (info.version !== bundle.version || (info.bundleHash !== undefined && info.bundleHash !== bundle.hash)) {
    throw new SshAgentStartError(host.label, `the agent running there is ${info.version} (${info.bundleHash ?? "no bundle hash"}), not ${bundle.version} (${bundle.hash})`, logFile, "");
  }
  if (mode !== "-rw-------" || token === undefined || !TOKEN.test(token)) {
    throw new SshAgentStartError(host.label, `its token file ${posix.join(home, "agent", "token")} is missing, not a token, or not mode 0600 (${mode ?? "absent"})`, logFile, "");
  }
  return { port: info.port, token, version: info.version, runtime: info.runtime, runtimeVersion: info.runtimeVersion, pid: info.pid, started: status === "started" };
}

/**
 * Makes sure the agent of `bundle` runs on `host` and returns where it
 * listens and its token. Re-running with nothing changed sends nothing and
 * starts nothing (one command on the host).
 *
 * @example
 * const host = await connectHost("gpu-box");
 * const agent = await ensureAgent(host, { bundle: await buildAgentBundle() });
 * const ws = await host.forward(agent.port); // then authenticate with agent.token
 */
export async function ensureAgent(host: SshHost, options: EnsureAgentOptions): Promise<AgentEndpoint> {
  const home = options.home ?? "~/.lit";
  const { bundle } = options;
  const progress =
    typeof options.progress === "function"
      ? options.progress
      : (options.progress ?? process.stderr.isTTY === true)
        ? terminalProgress(host.alias)
        : undefined;
  let probe = await probeHost(host, home, bundle.hash);
  const a = probe.agent;
  if (a !== undefined && a.alive && a.version === bundle.version && a.bundleHash === bundle.hash && probe.token !== undefined) {
    return { port: a.port, token: probe.token, version: a.version, runtime: a.runtime, runtimeVersion: a.runtimeVersion, pid: a.pid, started: false, uploaded: [] };
  }
  if (!probe.complete) probe = await probeHost(host, home, bundle.hash, true);
  const runtime = chooseRuntime(host, probe, home);
  const bundlePath = posix.join(home, "bundles", `${bundle.hash}.mjs`);
  const hasBundle = probe.bundleSize === bundle.code.length;
  const needed = (runtime.upload?.size ?? 0) + (hasBundle ? 0 : bundle.code.length);
  if (needed > 0 && probe.freeBytes !== undefined && probe.freeBytes < needed + MARGIN) {
    throw new SshDiskFullError(
      host.label,
      home,
      `${(probe.freeBytes / (1 << 20)).toFixed(1)} MiB free, ${((needed + MARGIN) / (1 << 20)).toFixed(1)} MiB needed for the agent`,
    );
  }
  const uploaded: string[] = [];
  if (runtime.upload !== undefined) {
    const u = runtime.upload;
    await send(host, u.to, fileChunks(u.from), u.size, u.what, 0o755, progress);
    uploaded.push(u.to);
  }
  if (!hasBundle) {
    await send(host, bundlePath, bundle.code, bundle.code.length, `agent ${bundle.version}`, 0o644, progress);
    uploaded.push(bundlePath);
  }
  progress?.({ kind: "starting", runtime: runtime.kind });
  const info = await start(host, home, runtime, bundle);
  progress?.({ kind: "started", version: info.version, port: info.port });
  return { ...info, uploaded };
}
