/**
 * lit-app as a work's thread sees it: the public API (`L.*`) without the
 * runner that starts an app run directly. `index.ts` is this module and the
 * runner; on Bun a work's thread is pointed here instead of `index.ts`
 * (local-workers' built thread program), so that a thousand threads do not
 * each load what only the app's own process uses.
 */
export * from "@lit-app/core";
export { CommandWork, type CommandWorkOptions } from "./works/command-work.ts";
export type { CommandSpec } from "./works/command-spec.ts";
export { CommandOptionError, CommandStartError, CommandNotFoundError, CommandFailedError } from "./errors.ts";
