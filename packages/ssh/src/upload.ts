/**
 * Writing a file on a host with nothing but a POSIX shell there (no SFTP
 * server needed): the bytes go through `cat` into a temp name beside the
 * file, their count is checked, and the temp file is renamed over the target,
 * so a reader there sees the old file or the new one, never half of one.
 */
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { ClientChannel } from "ssh2";
import { SshDiskFullError, SshUploadError } from "./errors.ts";
import { remotePathWord, shellQuote } from "./shell-quote.ts";
import type { SshHost } from "./ssh-host.ts";

/** What can be uploaded: bytes, text (UTF-8), or a stream of bytes. */
export type UploadSource = Uint8Array | string | AsyncIterable<Uint8Array>;

/** Options of {@link SshHost.upload}. */
export interface UploadOptions {
  /** The file's permission bits on the host (default `0o644`). */
  mode?: number;
  /** Called as bytes leave: bytes sent so far, and the total when known. */
  onProgress?: (sent: number, total: number | undefined) => void;
}

const CHUNK = 1 << 20;
const NO_SPACE = /No space left|Disk quota exceeded/i;

async function* chunksOf(data: UploadSource): AsyncIterable<Uint8Array> {
  if (typeof data === "string") data = Buffer.from(data, "utf8");
  if (data instanceof Uint8Array) {
    for (let i = 0; i < data.length; i += CHUNK) yield data.subarray(i, i + CHUNK);
    return;
  }
  yield* data;
}

/** Writes the chunks to the channel's stdin with back-pressure, then closes it; returns the bytes sent. */
async function send(channel: ClientChannel, data: UploadSource, total: number | undefined, onProgress: UploadOptions["onProgress"]): Promise<number> {
  let sent = 0;
  let closed = false;
  channel.once("close", () => (closed = true));
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        channel.off("drain", done);
        channel.off("close", done);
        resolve();
      };
      channel.on("drain", done);
      channel.on("close", done);
    });
  try {
    for await (const chunk of chunksOf(data)) {
      if (closed) break;
      sent += chunk.length;
      if (!channel.write(chunk)) await drained();
      onProgress?.(sent, total);
    }
  } catch (e) {
    // The source failed: end the command without an end-of-file, so that it commits nothing.
    channel.close();
    throw e;
  }
  channel.end();
  return sent;
}

function collect(channel: ClientChannel): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  let code: number | null = null;
  channel.on("data", (c: Buffer) => (stdout = (stdout + c.toString("utf8")).slice(-4096)));
  channel.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-4096)));
  channel.on("exit", (c: number | null) => (code = c));
  return new Promise((resolve) => channel.on("close", () => resolve({ code, stdout, stderr })));
}

/** @internal The body of {@link SshHost.upload}. */
export async function uploadOver(host: SshHost, remotePath: string, data: UploadSource, options: UploadOptions): Promise<{ bytes: number }> {
  const mode = (options.mode ?? 0o644).toString(8);
  const target = remotePathWord(remotePath);
  const temp = remotePathWord(`${remotePath}.${randomBytes(6).toString("hex")}.tmp`);
  const folder = posix.dirname(remotePath);
  const total = typeof data === "string" ? Buffer.byteLength(data) : data instanceof Uint8Array ? data.length : undefined;
  // Step 1 writes the temp file and prints its length; the rename waits until
  // every byte is known to have arrived, so an interrupted stream commits nothing.
  const write =
    `umask 077; t=${temp}; mkdir -p -- ${remotePathWord(folder)} || exit 4; ` +
    `if cat > "$t"; then wc -c < "$t" | tr -d ' '; else rm -f -- "$t"; exit 3; fi`;
  const channel = await host.openExec(write);
  const result = collect(channel);
  let sent: number;
  try {
    sent = await send(channel, data, total, options.onProgress);
  } catch (e) {
    await result;
    await host.exec(`rm -f -- ${temp}`).catch(() => {});
    throw e;
  }
  const written = await result;
  // Under load sshd may close a channel without its (optional) exit status;
  // the printed byte count is then the proof that the write finished.
  const countArrived = written.code === null && /^\d+$/.test(written.stdout.trim());
  if (written.code !== 0 && !countArrived) {
    await host.exec(`rm -f -- ${temp}`).catch(() => {});
    if (NO_SPACE.test(written.stderr)) throw new SshDiskFullError(host.label, folder, written.stderr.trim());
    const why = written.code === 4 ? `cannot make the folder ${folder}` : "the write failed";
    throw new SshUploadError(host.label, remotePath, `${why}: ${written.stderr.trim() || `exit status ${written.code}`}`);
  }
  const arrived = Number(written.stdout.trim());
  if (arrived !== sent || (total !== undefined && sent !== total)) {
    await host.exec(`rm -f -- ${temp}`).catch(() => {});
    throw new SshUploadError(host.label, remotePath, `${arrived} of ${total ?? sent} bytes arrived; nothing was replaced. Run again.`);
  }
  const commit = await commitTemp(host, temp, target, mode, sent);
  if (!commit.ok) {
    await host.exec(`rm -f -- ${temp}`).catch(() => {});
    throw new SshUploadError(host.label, remotePath, `cannot move the temp file into place: ${commit.why}`);
  }
  return { bytes: sent };
}

/**
 * Renames the checked temp file over the target. An exit status can be missing
 * (the SSH protocol makes it optional, and a loaded sshd sometimes drops it);
 * then the host is asked where the bytes are: a target of the right size with
 * the temp file gone is a done rename, a temp file still there is renamed again.
 */
async function commitTemp(host: SshHost, temp: string, target: string, mode: string, size: number): Promise<{ ok: true } | { ok: false; why: string }> {
  const rename = `chmod ${shellQuote(mode)} ${temp} && mv -f -- ${temp} ${target} && echo moved`;
  let last = { code: null as number | null, signal: undefined as string | undefined, stderr: "" };
  for (let attempt = 0; attempt < 2; attempt++) {
    const commit = await host.exec(rename);
    if (commit.code === 0 || commit.stdout.includes("moved")) return { ok: true };
    last = commit;
    if (commit.code !== null) break;
    const where = await host.exec(`if [ -e ${temp} ]; then echo temp; elif [ -f ${target} ]; then wc -c < ${target} | tr -d ' '; else echo none; fi`);
    const answer = where.stdout.trim();
    if (answer === String(size)) return { ok: true };
    if (answer !== "temp") break;
  }
  return { ok: false, why: last.stderr.trim() || `exit status ${last.code}${last.signal ? `, signal ${last.signal}` : ""}` };
}
