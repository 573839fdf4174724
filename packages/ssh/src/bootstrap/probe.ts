/**
 * What a host has, asked in one command: its OS and architecture, bun and
 * node on its PATH, the free space of the lit home, which runtimes and which
 * agent bundle are already there, and the running agent with its token.
 */
import type { SshHost } from "../ssh-host.ts";
import { exitText } from "../exit-text.ts";
import { SshExecError } from "../errors.ts";
import { remotePathWord } from "../shell-quote.ts";

/** The running agent, as `<lit home>/agent/agent.json` describes it. */
export interface AgentJson {
  version: string;
  pid: number;
  port: number;
  startedAt: string;
  runtime: string;
  runtimeVersion: string;
  bundleHash?: string;
}

/** The answer of {@link probeHost}. */
export interface HostProbe {
  uname: string;
  musl: boolean;
  /** `$HOME` on the host. */
  home: string;
  bun: { path: string; version: string } | undefined;
  node: { path: string; version: string } | undefined;
  /** Free bytes on the disk of the lit home (or of `$HOME` before it exists); undefined when df failed. */
  freeBytes: number | undefined;
  /** The files under `<lit home>/runtimes/`, by name, with their sizes in bytes. */
  runtimes: Map<string, number>;
  /** The size of `<lit home>/bundles/<hash>.mjs`, undefined when it is missing. */
  bundleSize: number | undefined;
  /** agent.json when it parses, and whether its pid is alive. */
  agent: (AgentJson & { alive: boolean }) | undefined;
  /** The token when the file is mode 0600 and holds one. */
  token: string | undefined;
  /** False when the probe stopped early because the agent of the bundle runs: only `agent` and `token` are filled. */
  complete: boolean;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const MAX_JSON = 4096;

/** agent.json checked field by field (it comes from a file on another machine). */
export function parseAgentJson(text: string): AgentJson | undefined {
  if (text.length > MAX_JSON) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === "string" && (o[k] as string).length <= 200;
  const int = (k: string, max: number) => Number.isInteger(o[k]) && (o[k] as number) > 0 && (o[k] as number) <= max;
  if (!str("version") || !int("pid", 2 ** 31) || !int("port", 65535) || !str("startedAt") || !str("runtime") || !str("runtimeVersion")) return undefined;
  if (o.bundleHash !== undefined && !(typeof o.bundleHash === "string" && /^[0-9a-f]{64}$/.test(o.bundleHash))) return undefined;
  return {
    version: o.version as string,
    pid: o.pid as number,
    port: o.port as number,
    startedAt: o.startedAt as string,
    runtime: o.runtime as string,
    runtimeVersion: o.runtimeVersion as string,
    ...(o.bundleHash === undefined ? {} : { bundleHash: o.bundleHash as string }),
  };
}

/**
 * Asks the host what it has, in one exec. `litHome` is as given to
 * ensureAgent (`~/.lit`). When the agent of `bundleHash` runs there the probe
 * stops after reading it and its token (`complete` false): asking bun and
 * node their versions is most of its time. `full` asks everything anyway.
 */
export async function probeHost(host: SshHost, litHome: string, bundleHash: string, full = false): Promise<HostProbe> {
  if (!/^[0-9a-f]{64}$/.test(bundleHash)) throw new TypeError(`bundle hash must be 64 lowercase hex characters, got ${JSON.stringify(bundleHash)}`);
  const script = [
    `H=${remotePathWord(litHome)}; p=`,
    'j="$H/agent/agent.json"',
    // Alive: the pid exists and is not a zombie (a dead agent whose parent has not reaped it yet).
    'alive() { kill -0 "$1" 2>/dev/null || return 1; case "$(ps -o stat= -p "$1" 2>/dev/null)" in Z*) return 1 ;; esac; }',
    'if [ -f "$j" ]; then echo "agentJson=$(head -c 4096 "$j" | tr -d \'\\n\')"; p=$(sed -n \'s/.*"pid"[[:space:]]*:[[:space:]]*\\([0-9][0-9]*\\).*/\\1/p\' "$j" | head -n 1); [ -n "$p" ] && alive "$p" && echo alive=yes; fi',
    't="$H/agent/token"',
    'if [ -f "$t" ]; then echo "tokenMode=$(ls -l "$t" | cut -c1-10)"; echo "token=$(head -c 100 "$t" | tr -d \'\\n\')"; fi',
    // The agent of this bundle runs: the rest (starting bun and node to ask their versions) is not needed.
    ...(full ? [] : [`[ -n "$p" ] && alive "$p" && grep -q '"bundleHash"[[:space:]]*:[[:space:]]*"${bundleHash}"' "$j" && exit 0`]),
    'echo "full=yes"',
    'echo "uname=$(uname -sm)"',
    'echo "home=$HOME"',
    'b=$(command -v bun 2>/dev/null); if [ -n "$b" ]; then echo "bun=$b"; echo "bunVersion=$("$b" --version 2>/dev/null | head -n 1)"; fi',
    'n=$(command -v node 2>/dev/null); if [ -n "$n" ]; then echo "node=$n"; echo "nodeVersion=$("$n" --version 2>/dev/null | head -n 1)"; fi',
    'if ls /lib/ld-musl-* >/dev/null 2>&1; then echo musl=yes; fi',
    'd="$H"; [ -d "$d" ] || d="$HOME"; echo "freeKiB=$(df -Pk "$d" 2>/dev/null | awk \'NR==2 {print $4}\')"',
    'for f in "$H"/runtimes/*; do [ -f "$f" ] && echo "runtime=$(wc -c < "$f" | tr -d \' \') ${f##*/}"; done',
    `f="$H"/bundles/${bundleHash}.mjs; [ -f "$f" ] && echo "bundleSize=$(wc -c < "$f" | tr -d ' ')"`,
    "true",
  ].join("\n");
  // The probe only reads: one whose exit status a loaded sshd dropped is asked again.
  const r = await host.exec(script, { maxOutputBytes: 64 << 10, idempotent: true });
  if (r.code !== 0) throw new SshExecError(host.label, `the host probe failed (${exitText(r)}): ${r.stderr.trim()}`);
  const values = new Map<string, string>();
  const runtimes = new Map<string, number>();
  for (const line of r.stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === "runtime") {
      const space = value.indexOf(" ");
      runtimes.set(value.slice(space + 1), Number(value.slice(0, space)));
    }
    else if (!values.has(key)) values.set(key, value);
  }
  const version = (key: string) => /^v?(\d+\.\d+\.\d+)/.exec(values.get(key) ?? "")?.[1];
  const bunVersion = version("bunVersion");
  const nodeVersion = version("nodeVersion");
  const free = Number(values.get("freeKiB"));
  const agent = parseAgentJson(values.get("agentJson") ?? "");
  const token = values.get("token");
  return {
    uname: values.get("uname") ?? "",
    musl: values.get("musl") === "yes",
    home: values.get("home") ?? "",
    bun: values.has("bun") && bunVersion !== undefined ? { path: values.get("bun")!, version: bunVersion } : undefined,
    node: values.has("node") && nodeVersion !== undefined ? { path: values.get("node")!, version: nodeVersion } : undefined,
    freeBytes: values.get("freeKiB") && Number.isFinite(free) ? free * 1024 : undefined,
    runtimes,
    bundleSize: values.has("bundleSize") ? Number(values.get("bundleSize")) : undefined,
    agent: agent === undefined ? undefined : { ...agent, alive: values.get("alive") === "yes" },
    token: values.get("tokenMode") === "-rw-------" && token !== undefined && TOKEN.test(token) ? token : undefined,
    complete: values.get("full") === "yes",
  };
}
