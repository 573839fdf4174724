/**
 * The program of a work's own OS process on a host, started detached by the
 * agent so that it outlives it. It runs the process host of
 * `@lit-app/local-workers` (the work program threads and child processes
 * run) over a channel of its own:
 *
 * - every message the work sends (with its incarnation and seq) is appended
 *   to `journal.jsonl` in the work's folder before it goes anywhere, so that
 *   what the agent missed (it was killed, restarted) is read from there;
 * - the agent reaches the process over a Unix socket (`sock` in the work's
 *   folder) that the process listens on, not over a pipe that would die
 *   with the agent. One agent at a time: a new connection replaces the old;
 *   with none, messages go to the journal only.
 * - `init.json`, written by the agent before it starts the process, is the
 *   flow's `init`: the work starts without waiting for the agent.
 *
 * Only node:fs, node:net and the process host are loaded (no zod beyond the
 * process host's own check of the flow's messages, no Hono): a thousand of
 * these stay cheap. work-main.ts runs it as it is (the app's module imported
 * by URL); an app's work bundle (work-bundle.ts) runs it with the app inside.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { dirname } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { useDriveAuthority } from "@lit-app/local-workers/drive-authority";
import { bootWorker } from "@lit-app/local-workers/work-program";
import { agentDrives } from "../drives/work-drives.ts";
import { appModuleByKey } from "./module-keys.ts";
import { WORK_DIR_ENV, workFiles } from "./work-files.ts";

/** The longest line taken from the agent (a run message with its arguments and delta). */
const MAX_LINE = 256 * 2 ** 20;

/** Options of {@link runWorkProcess}. */
export interface WorkProcessOptions {
  /**
   * Work in the folder of the app's module the flow's init names (an app's
   * work program: the app's folder synced to the host), before the app loads,
   * so that a CommandWork finds `train.sh` there.
   */
  appFolderAsCwd?: boolean;
}

/**
 * Serves the work whose folder the agent named in the environment. `load`
 * imports the app's module (default: by its URL) and `loadOther` another
 * module of the app by its key (module-keys.ts): a bundle passes the modules
 * it was built with; a key it does not hold (or without it) is imported from
 * beside the app's module.
 */
export async function runWorkProcess(
  load?: (url: string) => Promise<unknown>,
  loadOther?: (key: string) => Promise<unknown> | undefined,
  options: WorkProcessOptions = {},
): Promise<void> {
  const dir = process.env[WORK_DIR_ENV];
  delete process.env[WORK_DIR_ENV];
  if (!dir) {
    process.stderr.write(`[lit-app] the work process needs ${WORK_DIR_ENV}: it is started by the agent, not by hand.\n`);
    return process.exit(2);
  }
  const files = workFiles(dir);
  // The flow's init, written by the agent before it started this process: the work starts without waiting for it.
  const init: unknown = JSON.parse(readFileSync(files.init, "utf8"));
  const appModule = (init as { appModule?: unknown }).appModule;
  if (options.appFolderAsCwd && typeof appModule === "string" && appModule.startsWith("file:")) {
    try {
      process.chdir(dirname(fileURLToPath(appModule)));
    } catch {
      // The app's folder is not on this host: the work runs where the agent started it.
    }
  }
  // The app's Drives are kept where its flow runs: the work's Drive operations go there through the agent.
  useDriveAuthority(agentDrives);
  const journal = openSync(files.journal, "a", 0o600);
  let lastSeq = 0;
  let agent: Socket | undefined;
  const listeners: ((message: unknown) => void)[] = [];
  /** Lines journaled in this turn of the loop, not yet written to the agent. */
  const pending: string[] = [];

  function writeAll(fd: number, text: string): void {
    const bytes = Buffer.from(text);
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
  }

  /** Journals `message` (a work → flow message), then tells the agent when one is attached. */
  function send(message: unknown): void {
    const line = `${JSON.stringify(message)}\n`;
    writeAll(journal, line);
    const seq = (message as { seq?: unknown }).seq;
    if (typeof seq === "number") lastSeq = seq;
    if (!agent) return;
    // A call's messages (started, delta, succeeded) come in one turn of the loop: journaled one by
    // one above, they leave together in one write once the turn's work is done (a write to the
    // socket costs the agent a wake-up each). A process that ends first leaves them in the
    // journal, where the agent reads them when it sees the process end.
    pending.push(line);
    if (pending.length === 1) process.nextTick(flush);
  }

  /** Writes the journaled lines not yet sent to the agent, in one write. */
  function flush(): void {
    if (pending.length === 0) return;
    const text = pending.length === 1 ? pending[0]! : pending.join("");
    pending.length = 0;
    agent?.write(text);
  }

  function deliver(text: string): void {
    if (text === "") return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      message = text;
    }
    if (typeof message === "object" && message !== null && (message as { type?: unknown }).type === "attach") return;
    for (const l of listeners) l(message);
  }

  function attach(socket: Socket): void {
    agent?.destroy();
    agent = socket;
    pending.length = 0; // In the journal, up to the `attached` seq told below: the new agent reads them there.
    socket.setNoDelay(true);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (agent === socket) agent = undefined;
    });
    // Everything up to `seq` is in the journal; what follows comes over this socket.
    socket.write(`${JSON.stringify({ type: "attached", seq: lastSeq, pid: process.pid })}\n`);
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        deliver(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
      if (buffer.length > MAX_LINE) {
        buffer = "";
        socket.destroy();
      }
    });
  }

  rmSync(files.socket, { force: true });
  const server = createServer(attach);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(files.socket, () => resolve());
  });
  process.once("exit", () => {
    flush();
    rmSync(files.socket, { force: true });
    closeSync(journal);
  });

  const other = (key: string) => loadOther?.(key) ?? import(typeof appModule === "string" ? appModuleByKey(appModule, key) : key);
  await bootWorker(load, other, {
    send,
    onMessage(listener) {
      listeners.push(listener);
      // The flow's init, from the file the agent wrote: the work starts at once.
      if (listeners.length === 1) listener(init);
    },
    close() {
      listeners.length = 0;
    },
  });
}
