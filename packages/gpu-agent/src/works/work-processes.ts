/**
 * The works the agent runs on this host, each in its own OS process
 * (work-process.ts), started detached so that it outlives the agent, and
 * kept in a folder of its own under `works/`: its record (pid, incarnation),
 * the flow's init, its journal and its output. A restarted agent builds the
 * table again from those folders ({@link WorkProcesses.open}): it re-attaches to
 * the processes still running over their Unix sockets, and reports those
 * that died meanwhile as ended, with a reason, in their journal.
 *
 * Every message of a work reaches the table's listeners once, in seq order:
 * what the process sent before the agent attached is read from its journal.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { processAlive, processStartTime, writeFileAtomicSync } from "@lit-app/runtime";
import type { FlowToWork, WorkToFlow } from "@lit-app/local-workers/protocol";
import { appendJournal, lastJournalMessage, readJournal } from "./journal.ts";
import { memoryFlags, OUT_OF_MEMORY_TEXT, watchMemory } from "./memory-limit.ts";
import { killGroup } from "./process-info.ts";
import { WORK_DIR_ENV, workFiles, type WorkFiles } from "./work-files.ts";
import { readWorkRecord, writeWorkRecord, type WorkRecord } from "./work-record.ts";

type InitMessage = Extract<FlowToWork, { type: "init" }>;

/** The program a work's process runs (on a host, the agent's bundle names its own copy). */
export const WORK_PROGRAM = fileURLToPath(new URL("./work-main.ts", import.meta.url));

/** What a controller asks for when it opens a work. */
export interface OpenWork {
  /** The work's dotted name. */
  name: string;
  /** The flow's `init` message (its incarnation names this run of the work). */
  init: InitMessage;
  /** The work's compute, as the flow declared it. */
  compute?: { name: string; gpus: number; memoryMiB?: number | undefined };
  /**
   * The file in {@link WorkProcessesOptions.programDir} the process runs instead of
   * the default program: the app's bundle uploaded to the host, built with the
   * work program (one copy of the framework for both). A file name, no folder.
   */
  program?: string;
}

/** Options of a {@link WorkProcesses}. */
export interface WorkProcessesOptions {
  /** The folder of the works' folders (`~/.lit/agent/works`). */
  dir: string;
  /** The runtime and its arguments that run the work program. Default: this process's runtime and flags. */
  runtime?: { command: string; args: string[] };
  /** The work program. Default {@link WORK_PROGRAM}. */
  program?: string;
  /** The folder of the programs an open may name (the app bundles uploaded to the host). */
  programDir?: string;
  /** The working directory of works' processes (the app's synced folder). Default: the agent's. */
  cwd?: string;
  /**
   * Called before a work's process starts; returns what its environment adds
   * (the GPU pool's `CUDA_VISIBLE_DEVICES`). May wait (a work waiting for a GPU).
   */
  prepare?: (work: OpenWork, signal: AbortSignal, onWait: (reason: string) => void) => Promise<{ env?: Record<string, string> }>;
  /** Called once a work's process has ended: what `prepare` took is given back. */
  release?: (name: string) => void;
  /**
   * How long a work may go without a controller (none has it open on its
   * channel) before it is stopped and forgotten: its controller gave it up
   * (host lost) or is gone for good. Default 15 minutes, more than a
   * controller's own limit (10 minutes), so that one that comes back in time
   * finds its works.
   */
  orphanMs?: number;
}

/** What the table tells its listeners (the work channel's sessions). */
export interface WorkProcessesListener {
  /**
   * A message of the work, in seq order, each once; `raw` is its JSON text as
   * the work sent it, when the table has it (forwarded as it is).
   */
  event(name: string, message: WorkToFlow, raw?: string): void;
  /** The work waits before its process can start (`waiting for a GPU on gpu-box`). */
  waiting?(name: string, incarnation: string, reason: string): void;
}

/** One work as the host report shows it. */
export interface WorkSummary {
  name: string;
  incarnation: string;
  pid: number | undefined;
  state: "starting" | "running" | "stopping" | "ended";
  /** The last seq the agent has of it. */
  seq: number;
}

interface Entry {
  name: string;
  incarnation: string;
  files: WorkFiles;
  record: WorkRecord;
  state: WorkSummary["state"];
  /** The process, when this agent started it (its exit status is then known). */
  child?: ChildProcess;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  socket?: Socket;
  /** Lines for the process, waiting for the socket. */
  outbox: string[];
  lastSeen: number;
  /** Resolves when the entry has ended. */
  ended: Promise<void>;
  markEnded: () => void;
  /** Called when the work reports `stopped`. */
  onStopped?: () => void;
  /** Watching a re-adopted process end. */
  closing?: Promise<void>;
  /** Aborts `prepare` (waiting for a GPU) when the work is stopped before its process starts. */
  preparing?: AbortController;
  /** Why it waits, while it does. */
  waiting?: string;
  /** Stops the watch of its resident memory. */
  stopWatch?: () => void;
  /** Its resident memory when it went over its limit (it was then ended). */
  overLimit?: number;
  /** How many controllers' channels have it open. */
  attendedBy: number;
  /** Since when no controller has had it open (epoch ms), while none has. */
  unattendedSince: number | undefined;
}

const OUTPUT_TAIL = 2000;

/** The works of this host. */
export class WorkProcesses {
  private readonly options: WorkProcessesOptions;
  private readonly works = new Map<string, Entry>();
  private readonly listeners = new Set<WorkProcessesListener>();
  private closed = false;
  private sweeper: ReturnType<typeof setInterval> | undefined;

  private constructor(options: WorkProcessesOptions) {
    this.options = options;
  }

  /** The table of the works in `options.dir`: those still running re-attached, those gone ended. */
  static open(options: WorkProcessesOptions): WorkProcesses {
    const table = new WorkProcesses(options);
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    for (const id of readdirSync(options.dir)) table.adopt(join(options.dir, id));
    const orphanMs = options.orphanMs ?? 15 * 60_000;
    table.sweeper = setInterval(() => table.sweep(orphanMs), Math.max(50, Math.min(30_000, orphanMs / 4)));
    (table.sweeper as { unref?: () => void }).unref?.();
    return table;
  }

  /** A controller's channel has the work open (`true`) or no longer has (`false`). */
  attend(name: string, incarnation: string, attended: boolean): void {
    const entry = this.works.get(name);
    if (!entry || entry.incarnation !== incarnation) return;
    entry.attendedBy = Math.max(0, entry.attendedBy + (attended ? 1 : -1));
    entry.unattendedSince = entry.attendedBy === 0 ? Date.now() : undefined;
  }

  /** Stops and forgets the works no controller has had open for `orphanMs`. */
  private sweep(orphanMs: number): void {
    const now = Date.now();
    for (const entry of this.works.values()) {
      if (entry.attendedBy > 0 || entry.unattendedSince === undefined || now - entry.unattendedSince < orphanMs) continue;
      entry.unattendedSince = undefined; // Once.
      void this.forgetEntry(entry, 3000);
    }
  }

  /** Tells `listener` every message of every work from now on; returns what stops it. */
  subscribe(listener: WorkProcessesListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The works, for the host report. */
  list(): WorkSummary[] {
    return [...this.works.values()].map((e) => ({ name: e.name, incarnation: e.incarnation, pid: e.record.pid, state: e.state, seq: e.lastSeen }));
  }

  /** Why the work waits before its process can start, or undefined. */
  waitingReason(name: string, incarnation: string): string | undefined {
    const entry = this.works.get(name);
    return entry?.incarnation === incarnation ? entry.waiting : undefined;
  }

  /** Whether the table has `name` in `incarnation`. */
  has(name: string, incarnation: string): boolean {
    return this.works.get(name)?.incarnation === incarnation;
  }

  /**
   * The work's messages with `after < seq`, up to the last one the listeners
   * were told, from its journal; undefined when the table has no such work.
   */
  replay(name: string, incarnation: string, after: number): WorkToFlow[] | undefined {
    const entry = this.works.get(name);
    if (!entry || entry.incarnation !== incarnation) return undefined;
    return after >= entry.lastSeen ? [] : readJournal(entry.files.journal, after, entry.lastSeen);
  }

  /**
   * Starts the work's process, detached. Opening the incarnation that runs
   * already does nothing (a controller that re-sends); another incarnation of
   * the same name ends the old one first.
   */
  async open(work: OpenWork): Promise<void> {
    const { name, init } = work;
    const existing = this.works.get(name);
    if (existing?.incarnation === init.incarnation) return;
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const files = workFiles(join(this.options.dir, id));
    mkdirSync(files.dir, { recursive: true, mode: 0o700 });
    writeFileAtomicSync(files.init, JSON.stringify(init), { mode: 0o600 });
    const memoryMiB = work.compute?.memoryMiB;
    const record: WorkRecord = { name, incarnation: init.incarnation, state: "running", createdAt: Date.now(), ...(memoryMiB ? { memoryMiB } : {}) };
    const entry = this.entry(name, init.incarnation, files, record);
    entry.state = "starting";
    // In the table at once (a controller counts itself in before this resolves); an older incarnation ends first.
    this.works.set(name, entry);
    if (existing) await this.forgetEntry(existing);
    if (this.works.get(name) !== entry || entry.state !== "starting") return;
    let env: Record<string, string> = {};
    entry.preparing = new AbortController();
    try {
      const onWait = (reason: string) => {
        entry.waiting = reason;
        for (const l of this.listeners) l.waiting?.(name, init.incarnation, reason);
      };
      env = (await this.options.prepare?.(work, entry.preparing.signal, onWait))?.env ?? {};
    } catch (error) {
      if (entry.state !== "starting") return;
      return this.failStart(entry, error);
    } finally {
      entry.preparing = undefined;
      entry.waiting = undefined;
    }
    if (this.works.get(name) !== entry || entry.state !== "starting") {
      this.options.release?.(name);
      return;
    }
    const runtime = this.options.runtime ?? { command: process.execPath, args: process.execArgv };
    let program = this.options.program ?? WORK_PROGRAM;
    if (work.program !== undefined) {
      if (!this.options.programDir || !/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/.test(work.program)) {
        return this.failStart(entry, new Error(`the program ${JSON.stringify(work.program)} is not a file name in this agent's program folder`));
      }
      program = join(this.options.programDir, work.program);
    }
    if (!existsSync(program)) {
      const what = work.program === undefined ? "this agent's default work program" : `the program ${work.program}`;
      return this.failStart(entry, new Error(`${what} is not on this host (${program}); the controller uploads the app's work bundle (buildWorkBundle) to the program folder and names it`));
    }
    const output = openSync(files.output, "a", 0o600);
    let child: ChildProcess;
    try {
      child = spawn(runtime.command, [...runtime.args, ...memoryFlags(runtime.command, work.compute?.memoryMiB), program], {
        detached: true,
        stdio: ["ignore", output, output],
        env: { ...process.env, ...env, [WORK_DIR_ENV]: files.dir },
        ...(this.options.cwd ? { cwd: this.options.cwd } : {}),
      });
    } catch (error) {
      return this.failStart(entry, error);
    } finally {
      closeSync(output);
    }
    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once("spawn", () => resolve(undefined));
      child.once("error", (error) => resolve(error));
    });
    if (spawned) return this.failStart(entry, spawned);
    child.unref();
    entry.child = child;
    child.once("exit", (code, signal) => {
      entry.exit = { code, signal };
      void this.processEnded(entry);
    });
    record.pid = child.pid!;
    const startTime = processStartTime(child.pid!);
    if (startTime) record.startTime = startTime;
    writeWorkRecord(files.record, record);
    entry.state = "running";
    this.watch(entry);
    this.attach(entry);
  }

  /** Watches the resident memory of a work with a limit: over it, its process group is ended. */
  private watch(entry: Entry): void {
    const { pid, memoryMiB } = entry.record;
    if (pid === undefined || !memoryMiB) return;
    entry.stopWatch = watchMemory(pid, memoryMiB, (bytes) => {
      entry.overLimit = bytes;
      killGroup(pid);
      if (!entry.child) void this.watchAdopted(entry);
    });
  }

  /** Sends a flow message (`run`, `resync`) to the work; false when the table has no such running work. */
  send(name: string, incarnation: string, message: FlowToWork): boolean {
    const entry = this.works.get(name);
    if (!entry || entry.incarnation !== incarnation || entry.state === "ended") return false;
    this.write(entry, message);
    return true;
  }

  /**
   * Stops the work: its stop hooks run (up to `graceMs`), then its process
   * group is ended. Resolves once the process is gone.
   */
  async stop(name: string, incarnation: string, graceMs: number): Promise<void> {
    const entry = this.works.get(name);
    if (entry && entry.incarnation === incarnation) await this.stopEntry(entry, graceMs);
  }

  private async stopEntry(entry: Entry, graceMs: number): Promise<void> {
    const name = entry.name;
    if (entry.state !== "ended" && entry.state !== "stopping") {
      entry.state = "stopping";
      entry.preparing?.abort(new Error(`${name} was stopped`));
      if (graceMs > 0 && entry.record.pid !== undefined) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          new Promise<void>((resolve) => {
            entry.onStopped = resolve;
            this.write(entry, { type: "stop" });
          }),
          entry.ended,
          new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
        ]);
        clearTimeout(timer);
      }
      if (entry.record.pid !== undefined) killGroup(entry.record.pid);
      if (!entry.child) void this.watchAdopted(entry);
      else if (entry.record.pid === undefined) void this.processEnded(entry);
    }
    await entry.ended;
  }

  /**
   * Stops (its stop hooks get up to `graceMs`) and forgets every work whose
   * table name `which` picks (an app's works, see app-key.ts): what an app
   * stopped without its flow asks. Resolves with their names, once their
   * processes are gone.
   */
  async forgetAll(which: (name: string) => boolean, graceMs: number): Promise<string[]> {
    const entries = [...this.works.values()].filter((e) => which(e.name));
    await Promise.all(entries.map((e) => this.forgetEntry(e, graceMs)));
    return entries.map((e) => e.name);
  }

  /** Removes an ended work's folder (its controller has seen its end). Ends it first if it still runs. */
  async forget(name: string, incarnation: string): Promise<void> {
    const entry = this.works.get(name);
    if (entry && entry.incarnation === incarnation) await this.forgetEntry(entry);
  }

  private async forgetEntry(entry: Entry, graceMs = 0): Promise<void> {
    if (entry.state !== "ended") await this.stopEntry(entry, graceMs);
    if (this.works.get(entry.name) === entry) this.works.delete(entry.name);
    rmSync(entry.files.dir, { recursive: true, force: true });
  }

  /** Lets go of the works' processes without ending them (the agent is shutting down; the works go on). */
  detach(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const entry of this.works.values()) {
      entry.socket?.destroy();
      entry.child?.removeAllListeners("exit");
    }
    this.listeners.clear();
  }

  private entry(name: string, incarnation: string, files: WorkFiles, record: WorkRecord): Entry {
    let markEnded!: () => void;
    const ended = new Promise<void>((resolve) => (markEnded = resolve));
    return { name, incarnation, files, record, state: "running", outbox: [], lastSeen: 0, ended, markEnded, attendedBy: 0, unattendedSince: Date.now() };
  }

  /** A work's folder found at start: re-attached if its process runs, else ended with a reason. */
  private adopt(dir: string): void {
    try {
      if (!statSync(dir).isDirectory()) return;
    } catch {
      return;
    }
    const files = workFiles(dir);
    const record = readWorkRecord(files.record);
    if (!record) return;
    const previous = this.works.get(record.name);
    if (previous && previous.record.createdAt > record.createdAt) return;
    const entry = this.entry(record.name, record.incarnation, files, record);
    entry.lastSeen = lastJournalMessage(files.journal)?.seq ?? 0;
    this.works.set(record.name, entry);
    if (record.state === "ended") {
      entry.state = "ended";
      entry.markEnded();
      return;
    }
    if (record.pid !== undefined && processAlive(record.pid, record.startTime)) {
      this.watch(entry);
      this.attach(entry);
      return;
    }
    this.finish(entry, { name: "WorkerExit", message: "the work's process ended while the agent was down (exit status unknown)" });
  }

  /** Connects to the work's socket, retrying while the process starts; what it missed is read from its journal. */
  private attach(entry: Entry): void {
    let delay = 5;
    const tryConnect = () => {
      if (this.closed || entry.state === "ended") return;
      const socket = connect(entry.files.socket);
      socket.setNoDelay(true);
      let connected = false;
      socket.once("connect", () => {
        connected = true;
        entry.socket = socket;
        for (const line of entry.outbox.splice(0)) socket.write(line);
      });
      let buffer = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        buffer += chunk;
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
          this.received(entry, buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
        }
      });
      socket.on("error", () => undefined);
      socket.once("close", () => {
        if (entry.socket === socket) entry.socket = undefined;
        if (this.closed || entry.state === "ended") return;
        if (!connected) {
          // Not listening yet (the process is starting), or gone.
          if (entry.record.pid !== undefined && !entry.exit && processAlive(entry.record.pid, entry.record.startTime)) {
            delay = Math.min(delay * 2, 200);
            setTimeout(tryConnect, delay);
          } else if (!entry.child) void this.watchAdopted(entry);
          return;
        }
        // The process closed its end: it is ending. A process this agent started reports its exit; another is watched.
        if (!entry.child) void this.watchAdopted(entry);
      });
    };
    tryConnect();
  }

  private received(entry: Entry, line: string): void {
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      return;
    }
    if ((data as { type?: unknown }).type === "attached") {
      const seq = Number((data as { seq?: unknown }).seq);
      if (Number.isInteger(seq) && seq > entry.lastSeen) this.catchUp(entry, seq);
      return;
    }
    // The work's own process, on this host: its envelope is checked here, the whole message by the controller.
    const m = data as { type?: unknown; incarnation?: unknown; seq?: unknown };
    if (typeof m.type !== "string" || typeof m.incarnation !== "string" || !Number.isInteger(m.seq) || (m.seq as number) < 1) return;
    this.deliver(entry, data as WorkToFlow, line);
  }

  /** Tells the listeners what the journal holds after what they were told, up to `seq`. */
  private catchUp(entry: Entry, seq = Number.POSITIVE_INFINITY): void {
    for (const message of readJournal(entry.files.journal, entry.lastSeen, seq)) this.deliver(entry, message);
  }

  private deliver(entry: Entry, message: WorkToFlow, raw?: string): void {
    if (message.incarnation !== entry.incarnation || message.seq <= entry.lastSeen) return;
    entry.lastSeen = message.seq;
    if (message.type === "stopped") entry.onStopped?.();
    for (const l of this.listeners) l.event(entry.name, message, raw);
  }

  private write(entry: Entry, message: FlowToWork): void {
    const line = `${JSON.stringify(message)}\n`;
    if (entry.socket) entry.socket.write(line);
    else entry.outbox.push(line);
  }

  /** Waits for a process this agent did not start (re-adopted) to be gone. */
  private watchAdopted(entry: Entry): Promise<void> {
    entry.closing ??= (async () => {
      const pid = entry.record.pid;
      for (let i = 0; pid !== undefined && processAlive(pid, entry.record.startTime); i++) {
        if (this.closed) return;
        // Its socket closed but it runs: a moment later it may listen again (or it is ending).
        if (i === 50 && entry.state !== "stopping") return this.attach(entry), undefined;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await this.processEnded(entry);
    })().finally(() => (entry.closing = undefined));
    return entry.closing;
  }

  /** The work's process has ended: the listeners are told what it journaled last, and why it ended. */
  private async processEnded(entry: Entry): Promise<void> {
    if (entry.state === "ended" || this.closed) return;
    if (entry.state === "stopping") return this.finish(entry, undefined);
    entry.stopWatch?.();
    const exit = entry.exit;
    const limit = entry.record.memoryMiB;
    if (entry.overLimit !== undefined) {
      const used = Math.round(entry.overLimit / 2 ** 20);
      const message = `the work's process ran out of memory: it used ${used} MiB, over its limit of ${limit} MiB (CloudCompute memoryMiB), and was ended`;
      return this.finish(entry, { name: "WorkOutOfMemory", message });
    }
    const how = !exit
      ? "the work's process ended (exit status unknown: the agent was restarted since it started it)"
      : exit.signal
        ? `the work's process was killed by ${exit.signal}`
        : `the work's process ended with exit code ${exit.code ?? "unknown"}`;
    const tail = outputTail(entry.files.output);
    const name = OUT_OF_MEMORY_TEXT.test(tail) ? "WorkOutOfMemory" : "WorkerExit";
    const oom = name === "WorkOutOfMemory" ? ` ran out of memory${limit ? ` (limit ${limit} MiB)` : ""} and` : "";
    this.finish(entry, { name, message: `${oom ? how.replace("the work's process", `the work's process${oom}`) : how}${tail}` });
  }

  /**
   * Marks the work ended. `failure`: it ended without being stopped, which is
   * journaled (as the work's last word) unless the work said so itself.
   */
  private finish(entry: Entry, failure: { name: string; message: string } | undefined): void {
    if (entry.state === "ended") return;
    entry.state = "ended";
    entry.stopWatch?.();
    entry.socket?.destroy();
    entry.socket = undefined;
    // What the process journaled but the socket did not bring.
    this.catchUp(entry);
    const last = lastJournalMessage(entry.files.journal);
    if (failure !== undefined && last?.type !== "exiting" && last?.type !== "stopped") {
      const message: WorkToFlow =
        entry.lastSeen === 0 && !entry.record.pid
          ? { type: "initFailed", incarnation: entry.incarnation, seq: 1, error: { name: "WorkStartError", message: failure.message } }
          : { type: "exiting", incarnation: entry.incarnation, seq: entry.lastSeen + 1, error: failure };
      appendJournal(entry.files.journal, message);
      this.deliver(entry, message);
    }
    entry.record.state = "ended";
    try {
      writeWorkRecord(entry.files.record, entry.record);
    } catch {
      // Its folder was removed (forgotten): nothing to record.
    }
    this.options.release?.(entry.name);
    entry.markEnded();
  }

  private failStart(entry: Entry, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.finish(entry, { name: "WorkStartError", message: `the work's process could not be started: ${message}` });
  }
}

/** The end of what a process wrote to its own output (a runtime's crash report), for the reason it ended. */
function outputTail(file: string): string {
  try {
    const text = readFileSync(file, "utf8").trim();
    if (!text) return "";
    const tail = text.length > OUTPUT_TAIL ? `…${text.slice(-OUTPUT_TAIL)}` : text;
    return `; its last output:\n${tail}`;
  } catch {
    return "";
  }
}
