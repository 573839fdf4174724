/**
 * Where a work's Drive operations go. On one machine, a work's side does them
 * itself in the app's storage folder (claims are files, atomic between
 * threads and processes). A work on another host than its flow hands them to
 * the app's Drive authority instead: the process that runs the work there
 * installs a hook ({@link useDriveAuthority}) that gives the Drive port to use.
 */
import type { StoragePort } from "@lit-app/core/internal";

/** The Drive half of the storage port. */
export type DrivePort = Pick<StoragePort, "drivePut" | "driveGet" | "driveList" | "driveDelete">;

/** Where a work's storage is, as its `init` says. */
export interface DriveWhere {
  appModule: string;
  appName: string;
  /** The folder of the app's works' roots the flow named (on hosts, always set). */
  storageDir: string | undefined;
  /** The Drives in that folder, for operations the authority leaves to the work's side. */
  local(): DrivePort;
}

/** Gives the Drive port for a work's storage, or undefined to keep Drives in the local storage folder. */
export type DriveAuthorityHook = (where: DriveWhere) => DrivePort | undefined;

// On globalThis: the process's program and the work's storage may come from two copies of this module.
const KEY = Symbol.for("@lit-app/local-workers.driveAuthority");
const slot = globalThis as unknown as Record<symbol, DriveAuthorityHook | undefined>;

/** Sends the Drive operations of the works of this process where `hook` says. */
export function useDriveAuthority(hook: DriveAuthorityHook | undefined): void {
  slot[KEY] = hook;
}

/** The Drive port the installed hook gives for `where` (undefined: none installed, or it keeps them local). */
export function driveAuthorityFor(where: DriveWhere): DrivePort | undefined {
  return slot[KEY]?.(where);
}
