/**
 * Paths between hosts: before a call reaches a work on one host, each Path
 * it carries (in its arguments, or in fields the flow set) whose origin work
 * runs on another host is copied from the origin's storage root there into
 * the same root on the receiving host, so that the receiving work finds the
 * origin's copy as it would on one machine. The bytes stream from one SSH
 * connection into the other (tar out, tar in), never landing on this
 * machine's disk; the receiving side writes into a temp folder, then moves it
 * into place.
 */
import type { JsonValue } from "@lit-app/core";
import type { SshHost } from "@lit-app/ssh";

/** A Path as it crosses: its path in the origin's root, and the origin work. */
export interface PathRef {
  path: string;
  origin: string;
}

/** What the relay needs of a host: its open connection and the app's folder there (relative to the home). */
export interface RelayHost {
  alias: string;
  ssh(): Promise<SshHost>;
  /** `.lit/apps/<name>`: the app's folder under the host user's home. */
  appDir(): Promise<string>;
}

const SAFE_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\0\n'"\\$`]{1,4096}$/;
const SAFE_WORK = /^[A-Za-z0-9_.-]{1,500}$/;

/** The Paths (with an origin) in encoded state: `{ "$lit": "Path", path, origin }` anywhere inside. */
export function pathsIn(value: JsonValue | undefined, out: PathRef[] = []): PathRef[] {
  if (value === null || typeof value !== "object") return out;
  if (Array.isArray(value)) {
    for (const v of value) pathsIn(v, out);
    return out;
  }
  if (value.$lit === "Path" && typeof value.path === "string" && typeof value.origin === "string") {
    out.push({ path: value.path, origin: value.origin });
    return out;
  }
  for (const v of Object.values(value)) pathsIn(v, out);
  return out;
}

async function exitOf(channel: import("ssh2").ClientChannel): Promise<{ code: number | null; stderr: string }> {
  let stderr = "";
  let code: number | null = null;
  channel.stderr.on("data", (c: Buffer) => {
    if (stderr.length < 4096) stderr += c.toString();
  });
  channel.on("exit", (c: number | null) => (code = c));
  return new Promise((resolve) => channel.on("close", () => resolve({ code, stderr: stderr.trim() })));
}

/**
 * Copies `ref` (a file or a folder) from the origin's storage root on `from`
 * to the same root on `to`.
 * @throws naming both hosts and the Path when the copy fails
 */
export async function relayPath(ref: PathRef, from: RelayHost, to: RelayHost): Promise<void> {
  if (!SAFE_PATH.test(ref.path) || !SAFE_WORK.test(ref.origin)) throw new Error(`the Path ${JSON.stringify(ref.path)} of ${ref.origin} cannot be sent between hosts (unexpected characters in its name)`);
  const [a, b, dirA, dirB] = await Promise.all([from.ssh(), to.ssh(), from.appDir(), to.appDir()]);
  const member = `${ref.origin}/${ref.path}`;
  // The origin's root: <app folder>/.lit/storage/<app key>/<origin> (one app per folder: the first match).
  const key = await a.exec(`cd "$HOME"/'${dirA}'/.lit/storage && for d in */; do if [ -e "$d"'${member}' ]; then printf %s "$d"; exit 0; fi; done; exit 3`);
  if (key.code !== 0) throw new Error(`the Path ${JSON.stringify(ref.path)} written by ${ref.origin} is not on ${from.alias} (looked under ~/${dirA}/.lit/storage)`);
  const appKey = key.stdout.toString().replace(/\/$/, "");
  if (!SAFE_WORK.test(appKey)) throw new Error(`unexpected storage folder ${JSON.stringify(appKey)} on ${from.alias}`);
  const find = `cd "$HOME"/'${dirA}'/.lit/storage/'${appKey}' && exec tar cf - '${member}'`;
  const tmp = `.lit-relay-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const root = `"$HOME"/'${dirB}'/.lit/storage/'${appKey}'`;
  const receive =
    `set -e; mkdir -p ${root}/${tmp}; cd ${root}/${tmp}; tar xf -; ` +
    `mkdir -p "$(dirname ../'${member}')"; rm -rf ../'${member}'; mv '${member}' ../'${member}'; cd ..; rm -rf ${tmp}`;
  // The receiver first; each channel watched as soon as it is open (a small Path's sender may be done at once).
  const recv = await b.openExec(receive);
  const received = exitOf(recv);
  recv.resume(); // it prints nothing; drained so that it can close
  const send = await a.openExec(find);
  const sent = exitOf(send);
  send.end(); // it reads nothing
  send.pipe(recv);
  const [s, r] = await Promise.all([sent, received]);
  if (s.code !== 0 || r.code !== 0) {
    throw new Error(`the Path ${JSON.stringify(ref.path)} of ${ref.origin} could not be sent from ${from.alias} to ${to.alias}: ${s.stderr || r.stderr || `exit ${s.code}/${r.code}`}`);
  }
}
