/**
 * An app's durable state in a folder on disk (the core's `StateJournal`):
 *
 * - `snapshot.json`: the whole durable state and its generation, replaced
 *   atomically (written beside, fsynced, renamed);
 * - `journal-<generation>.jsonl`: the changes since that snapshot, appended:
 *   one line (a JSON array of records) per write, each write the passes of
 *   the last `flushMs`.
 *
 * Durability: a pass's records are handed to the OS (one `write`) within
 * `flushMs` of the change, and at once when a call's result is recorded; so
 * a process that is killed loses at most the last `flushMs` of state changes
 * and never a call's result. Lines are not fsynced unless `fsync: true`: a
 * machine that loses power may lose what the OS had not written yet. A line
 * torn by a crash (the last one, unfinished) is ignored when read back.
 * `lock` holds the id of the process that writes the folder.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { JournalError } from "@lit-app/core";
import { replayJournal, type DurableState, type JournalRecord, type StateJournal } from "@lit-app/core/internal";
import { processAlive, processStartTime, writeFileAtomicSync } from "@lit-app/runtime";
import { JournalBatch } from "./journal-coalesce.ts";
import { JOURNAL_FORMAT, lineSchema, MAX_JOURNAL_DEPTH, nestedDeeperThan, snapshotSchema } from "./journal-schema.ts";

/** Options of {@link openFileJournal}. */
export interface FileJournalOptions {
  /** Discard what the folder holds and start the app afresh. Default false: resume when it holds state. */
  fresh?: boolean;
  /** How long appended records may wait in memory before they are written (ms). Default 10. */
  flushMs?: number;
  /** fsync the journal file at each write (slower; survives power loss). Default false. */
  fsync?: boolean;
  /** The most a snapshot file may hold when read back. Default 512 MiB. */
  maxSnapshotBytes?: number;
  /** The most a journal file may hold when read back. Default 512 MiB. */
  maxJournalBytes?: number;
  /** Where a failure to write is reported (the app goes on without durability). Default stderr. */
  onError?: (message: string) => void;
}

const SNAPSHOT = "snapshot.json";
const LOCK = "lock";
const MiB = 1024 * 1024;
/** A snapshot is due once the journal holds this much, or twice the last snapshot's size, whichever is more. */
const MIN_JOURNAL_BYTES = 4 * MiB;

const encoder = new TextEncoder();
const journalFile = (generation: number) => `journal-${generation}.jsonl`;

function size(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function readBounded(file: string, max: number, what: string): string | undefined {
  let bytes: number | undefined;
  try {
    bytes = size(file);
  } catch (error) {
    throw new JournalError(`the app's ${what} ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (bytes === undefined) return undefined;
  if (bytes > max) {
    throw new JournalError(`the app's ${what} ${file} holds ${bytes} bytes, more than the ${max} it may (maxSnapshotBytes/maxJournalBytes); it was not read. Start the app fresh, or raise the limit.`);
  }
  return readFileSync(file, "utf8");
}

/** Reads a journal folder's state: its snapshot and the lines after it; undefined when it holds none. */
export function readJournal(dir: string, options: Pick<FileJournalOptions, "maxSnapshotBytes" | "maxJournalBytes"> = {}): { state: DurableState; generation: number } | undefined {
  const file = join(dir, SNAPSHOT);
  const text = readBounded(file, options.maxSnapshotBytes ?? 512 * MiB, "journal snapshot");
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new JournalError(`the app's journal snapshot ${file} is not JSON (${(error as Error).message}); it is not a lit-app journal, or was damaged. Start the app fresh to discard it.`);
  }
  if ((raw as { format?: unknown } | null)?.format !== JOURNAL_FORMAT) {
    throw new JournalError(`${file} is not a lit-app journal snapshot (no "format": "${JOURNAL_FORMAT}"): point the journal at a folder of its own, or start the app fresh to replace it.`);
  }
  if (nestedDeeperThan(raw, MAX_JOURNAL_DEPTH)) throw new JournalError(`the app's journal snapshot ${file} is nested more than ${MAX_JOURNAL_DEPTH} deep; it was not read. Start the app fresh to discard it.`);
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JournalError(`the app's journal snapshot ${file} is not valid at ${issue?.path.join(".") || "(root)"}: ${issue?.message}. Start the app fresh to discard it.`);
  }
  const { generation, state } = parsed.data;
  const lines = join(dir, journalFile(generation));
  const body = readBounded(lines, options.maxJournalBytes ?? 512 * MiB, "journal");
  try {
    replayJournal(state, body === undefined ? [] : readLines(body, lines));
  } catch (error) {
    if (error instanceof JournalError) throw error;
    throw new JournalError(`the app's journal ${lines} does not fit its snapshot (${(error as Error).message}): it is damaged. Start the app fresh to discard it.`, { cause: error });
  }
  return { state, generation };
}

function* readLines(body: string, file: string): Generator<JournalRecord> {
  const lines = body.split("\n");
  // The last piece is "" when the file ends with a whole line; anything else was torn by a crash.
  lines.pop();
  for (let i = 0; i < lines.length; i++) {
    let raw: unknown;
    try {
      raw = JSON.parse(lines[i]!);
    } catch (error) {
      throw new JournalError(`the app's journal ${file}, line ${i + 1}, is not JSON (${(error as Error).message}): it is damaged. Start the app fresh to discard it.`);
    }
    if (nestedDeeperThan(raw, MAX_JOURNAL_DEPTH)) throw new JournalError(`the app's journal ${file}, line ${i + 1}, is nested more than ${MAX_JOURNAL_DEPTH} deep. Start the app fresh to discard it.`);
    const parsed = lineSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new JournalError(`the app's journal ${file}, line ${i + 1}, is not valid at ${issue?.path.join(".") || "(root)"}: ${issue?.message}. Start the app fresh to discard it.`);
    }
    yield* parsed.data;
  }
}

/** The journal files of a folder other than `keep`. */
function staleJournals(dir: string, keep: string | undefined): string[] {
  return readdirSync(dir).filter((f) => /^journal-\d+\.jsonl$/.test(f) && f !== keep);
}

/**
 * Opens (making it) the journal folder `dir` of an app.
 * @example
 * const engine = new AppEngine(app, { executor, clock, journal: openFileJournal("/var/lib/my-app/journal") });
 * @throws JournalError when `dir` cannot be made.
 */
export function openFileJournal(dir: string, options: FileJournalOptions = {}): StateJournal {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new JournalError(`the app's journal folder ${dir} cannot be made: ${(error as Error).message}`, { cause: error });
  }
  return new FileJournal(dir, options);
}

class FileJournal implements StateJournal {
  private generation = 0;
  private fd: number | undefined;
  private pending = new JournalBatch();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private written = 0;
  private snapshotBytes = 0;
  private failed = false;
  private locked = false;
  private readonly flushMs: number;

  constructor(
    private readonly dir: string,
    private readonly options: FileJournalOptions,
  ) {
    this.flushMs = options.flushMs ?? 10;
  }

  load(): DurableState | undefined {
    this.lock();
    if (this.options.fresh) {
      for (const f of [SNAPSHOT, ...staleJournals(this.dir, undefined)]) {
        try {
          unlinkSync(join(this.dir, f));
        } catch {}
      }
      return undefined;
    }
    const found = readJournal(this.dir, this.options);
    if (!found) return undefined;
    this.generation = found.generation;
    return found.state;
  }

  append(records: readonly JournalRecord[]): void {
    if (this.fd === undefined) return;
    // Serialized when written: the engine's records are copies nothing changes later (see StateJournal).
    for (const record of records) this.pending.push(record);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd === undefined || this.pending.size === 0) return;
    // One line for everything since the last write: whole, or (torn by a crash) not at all.
    const bytes = encoder.encode(`${JSON.stringify(this.pending.take())}\n`);
    try {
      let done = 0;
      while (done < bytes.byteLength) done += writeSync(this.fd, bytes, done, bytes.byteLength - done);
      if (this.options.fsync) fsyncSync(this.fd);
      this.written += bytes.byteLength;
    } catch (error) {
      this.report(`the app's journal ${join(this.dir, journalFile(this.generation))} could not be written (${(error as Error).message}): changes since are not durable`);
    }
  }

  snapshotDue(): boolean {
    return this.written > Math.max(MIN_JOURNAL_BYTES, 2 * this.snapshotBytes);
  }

  snapshot(state: DurableState): void {
    const next = this.generation + 1;
    const text = JSON.stringify({ format: JOURNAL_FORMAT, version: 1, generation: next, state });
    let fd: number | undefined;
    try {
      // The new journal file exists (empty) before the snapshot that names it.
      fd = openSync(join(this.dir, journalFile(next)), "w", 0o600);
      writeFileAtomicSync(join(this.dir, SNAPSHOT), text, { mode: 0o600 });
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = fd;
      this.pending.take();
      this.generation = next;
      this.written = 0;
      this.snapshotBytes = text.length;
      for (const f of staleJournals(this.dir, journalFile(next))) unlinkSync(join(this.dir, f));
    } catch (error) {
      if (fd !== undefined && fd !== this.fd) closeSync(fd);
      this.report(`the app's journal snapshot ${join(this.dir, SNAPSHOT)} could not be written (${(error as Error).message})`);
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.locked) {
      this.locked = false;
      try {
        unlinkSync(join(this.dir, LOCK));
      } catch {}
    }
  }

  /**
   * Takes the folder for this process: two processes writing one journal would interleave their
   * lines. A lock left by a process that is gone (killed) is taken over.
   */
  private lock(): void {
    const file = join(this.dir, LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        // The pid and its start time: after a reboot, a pid of the lock's holder may be another program's.
        writeFileSync(file, `${process.pid} ${processStartTime(process.pid) ?? ""}`.trim(), { flag: "wx", mode: 0o600 });
        this.locked = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new JournalError(`the app's journal folder ${this.dir} cannot be locked: ${(error as Error).message}`, { cause: error });
        }
      }
      const [pid, startTime] = readFileSync(file, "utf8").trim().split(" ");
      const holder = Number(pid);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder, startTime)) {
        throw new JournalError(
          `the app's journal ${this.dir} is in use by process ${holder} (see ${file}): another run of the app writes it. Stop that run first, or give this one a journal folder of its own.`,
        );
      }
      unlinkSync(file);
    }
    throw new JournalError(`the app's journal folder ${this.dir} could not be locked: another process keeps taking ${file}.`);
  }

  private report(message: string): void {
    if (this.failed) return;
    this.failed = true;
    (this.options.onError ?? ((m: string) => void process.stderr.write(`[lit-app] ${m}\n`)))(message);
  }
}
