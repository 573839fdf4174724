/**
 * The `journal` option of `runApp` (and `lit run`'s `LIT_JOURNAL` and
 * `LIT_JOURNAL_FRESH`): where an app keeps its durable state so that, started
 * again after its process died, it resumes (see file-journal.ts).
 */
import process from "node:process";
import type { StateJournal } from "@lit-app/core/internal";
import { openFileJournal } from "./file-journal.ts";

/** Where and how an app keeps its durable state. */
export interface JournalOption {
  /** The folder (made when missing). An app started with a folder that holds state resumes from it. */
  dir: string;
  /** Discard the folder's state and start afresh (else a component tree that differs is an error). */
  fresh?: boolean;
  /** fsync every write of the journal (survives power loss, slower). */
  fsync?: boolean;
}

/** The option given, else `LIT_JOURNAL=<dir>` (`LIT_JOURNAL_FRESH=1`, `LIT_JOURNAL_FSYNC=1`), else none. */
export function journalOption(option: JournalOption | undefined): JournalOption | undefined {
  if (option) return option;
  const dir = process.env.LIT_JOURNAL;
  if (!dir) return undefined;
  return { dir, fresh: process.env.LIT_JOURNAL_FRESH === "1", fsync: process.env.LIT_JOURNAL_FSYNC === "1" };
}

/** Opens the journal of {@link journalOption}, or undefined for none. */
export function appJournal(option: JournalOption | undefined): StateJournal | undefined {
  const chosen = journalOption(option);
  return chosen ? openFileJournal(chosen.dir, { ...(chosen.fresh ? { fresh: true } : {}), ...(chosen.fsync ? { fsync: true } : {}) }) : undefined;
}

/** What to add to the failure of an app whose journal could not be resumed. */
export const JOURNAL_HINT =
  "To start the app fresh and discard the journal's state: runApp(app, { journal: { dir, fresh: true } }), or LIT_JOURNAL_FRESH=1 with lit run.";
