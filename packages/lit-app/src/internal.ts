/**
 * lit-app/internal: the in-process runner, for lit-app's own tools and
 * benchmarks. Not part of the public API (that is `lit-app`, the `L.*` of the
 * README); it may change with any release. Apps run with `lit run app.ts`,
 * `bun run app.ts` or `deno run -A app.ts`.
 */
export { runApp, startApp, type RunAppOptions, type RunningApp } from "./runner/run-app.ts";
export { systemClock } from "./runner/system-clock.ts";
export { openFileJournal, readJournal, type FileJournalOptions } from "./runner/file-journal.ts";
export type { JournalOption } from "./runner/journal-option.ts";
