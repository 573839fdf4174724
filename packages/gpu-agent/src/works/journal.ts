/**
 * A work's journal as the agent reads it: `journal.jsonl`, one work → flow
 * message per line, each with its incarnation and seq, appended by the
 * work's process (work-process.ts) before it sends it. The agent replays it
 * to a controller that reconnects, and appends the last word of a process
 * that died without saying so (no other writer is left then).
 */
import { appendFileSync, closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { workToFlow, type WorkToFlow } from "@lit-app/local-workers/protocol";

/** The journal's messages with `after < seq <= upTo`, in order; lines that are not messages are skipped. */
export function readJournal(file: string, after = 0, upTo = Number.POSITIVE_INFINITY): WorkToFlow[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw error;
  }
  const messages: WorkToFlow[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    // The seq (the last key the work writes) is read first: lines before `after` are not parsed whole.
    const seq = Number(/"seq":(\d+)\}$/.exec(line)?.[1] ?? Number.NaN);
    if (!Number.isNaN(seq) && !(seq > after && seq <= upTo)) continue;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      continue; // A line cut short by a full disk or a crash mid-write.
    }
    const parsed = workToFlow.safeParse(data);
    if (parsed.success && parsed.data.seq > after && parsed.data.seq <= upTo) messages.push(parsed.data);
  }
  return messages;
}

/** The last message of the journal, if any: read from its end (a long journal is not read whole). */
export function lastJournalMessage(file: string): WorkToFlow | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    // A line is at most a message; a tail that holds no whole line is widened until it does.
    for (let span = 64 * 1024; ; span *= 4) {
      const start = Math.max(0, size - span);
      const buffer = Buffer.alloc(size - start);
      readSync(fd, buffer, 0, buffer.length, start);
      const lines = buffer.toString("utf8").split("\n");
      if (start > 0) lines.shift(); // Maybe cut at its start.
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = lines[i]!;
        if (line === "") continue;
        try {
          const parsed = workToFlow.safeParse(JSON.parse(line));
          if (parsed.success) return parsed.data;
        } catch {
          // A line cut short by a crash mid-write: the one before it.
        }
      }
      if (start === 0) return undefined;
    }
  } finally {
    closeSync(fd);
  }
}

/** Appends `message` to the journal: only once the work's process is gone. */
export function appendJournal(file: string, message: WorkToFlow): void {
  appendFileSync(file, `${JSON.stringify(message)}\n`, { mode: 0o600 });
}
