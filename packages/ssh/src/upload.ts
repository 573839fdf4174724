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
  if (written.code !== 0) {
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
  const commit = await host.exec(`chmod ${shellQuote(mode)} ${temp} && mv -f -- ${temp} ${target}`);
  if (commit.code !== 0) {
    await host.exec(`rm -f -- ${temp}`).catch(() => {});
    throw new SshUploadError(host.label, remotePath, `cannot move the temp file into place: ${commit.stderr.trim() || `exit status ${commit.code}${commit.signal ? `, signal ${commit.signal}` : ""}`}`);
  }
  return { bytes: sent };
}
