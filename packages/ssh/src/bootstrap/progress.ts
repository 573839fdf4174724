/**
 * A one-line progress bar for uploads, drawn on stderr when it is a terminal
 * (redrawn at most 10 times a second, finished with a newline).
 */

/** One step of a bootstrap, for a caller that shows progress its own way. */
export type BootstrapEvent =
  | { kind: "upload"; what: string; sent: number; total: number }
  | { kind: "uploaded"; what: string; bytes: number; ms: number }
  | { kind: "starting"; runtime: string }
  | { kind: "started"; version: string; port: number };

/** Receives {@link BootstrapEvent}s. */
export type ProgressSink = (event: BootstrapEvent) => void;

const MiB = 1 << 20;

/** A sink that draws a bar on `stream` (default stderr) for uploads and a line for the start. */
export function terminalProgress(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  let last = 0;
  let started = 0;
  return (e) => {
    if (e.kind === "upload") {
      const now = Date.now();
      if (started === 0) started = now;
      if (now - last < 100 && e.sent < e.total) return;
      last = now;
      const width = 30;
      const ratio = e.total === 0 ? 1 : e.sent / e.total;
      const filled = Math.round(ratio * width);
      const rate = e.sent / MiB / Math.max(0.001, (now - started) / 1000);
      stream.write(
        `\r[ssh] ${label}: ${e.what} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ` +
          `${(e.sent / MiB).toFixed(1)}/${(e.total / MiB).toFixed(1)} MiB ${rate.toFixed(0)} MiB/s\x1b[K`,
      );
    } else if (e.kind === "uploaded") {
      started = 0;
      last = 0;
      stream.write(`\r[ssh] ${label}: ${e.what} sent (${(e.bytes / MiB).toFixed(1)} MiB in ${(e.ms / 1000).toFixed(1)} s)\x1b[K\n`);
    } else if (e.kind === "starting") {
      stream.write(`[ssh] ${label}: starting the agent with ${e.runtime}\n`);
    } else {
      stream.write(`[ssh] ${label}: agent ${e.version} listening on the host's port ${e.port}\n`);
    }
  };
}
