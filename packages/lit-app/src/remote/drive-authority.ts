/**
 * The Drive authority of an app: the one machine whose storage keeps the
 * app's Drives (where the flow runs: this machine under `lit run --host`;
 * a host under `lit deploy`), so that a claim made by a work on one host
 * holds for the works on every other. Works here use it directly (their
 * storage folder is its storage folder); a work on a host posts each Drive
 * operation to its agent, and {@link serveDriveRequests} takes them from the
 * agent and does them here: a put first syncs the work's file (or folder)
 * from the host into the work's root here with the storage engine (only
 * missing blobs, verified, atomic), then puts it as a local work would; a get
 * does the local get, then syncs the file back into the work's root there.
 */
import { pathToFileURL } from "node:url";
import { DriveNotFoundError } from "@lit-app/core";
import type { StoragePort } from "@lit-app/core/internal";
import type { DriveFailure, DriveOperation } from "@lit-app/gpu-agent/drives";
import { localRelayHost, relayPath, type RelayHost } from "./path-relay.ts";

/** The Drive half of the storage port. */
export type DriveStore = Pick<StoragePort, "drivePut" | "driveGet" | "driveList" | "driveDelete">;

/** Where an app's Drives are kept, and how the works' roots there are reached. */
export interface DriveAuthority {
  /** Its machine's name, for messages (`this machine`, or a host alias). */
  alias: string;
  /** The Drives: the storage of the authority's machine. */
  drives: DriveStore;
  /** The works' storage roots on the authority's machine, as the Path relay reaches them. */
  relay: RelayHost;
}

/**
 * This machine as the Drive authority of the app `appName` whose module is
 * `appModule` (a path): its storage folder, reached by `relay` (default a
 * {@link localRelayHost} of its own).
 */
export async function localDriveAuthority(appModule: string, appName: string, relay?: RelayHost): Promise<DriveAuthority> {
  const { LocalStorage, appStorageDir } = await import("@lit-app/storage/local");
  return { alias: "this machine", drives: new LocalStorage(appStorageDir(pathToFileURL(appModule).href, appName)), relay: relay ?? localRelayHost(appModule, appName) };
}

/**
 * Does `operation` of a work on `host` at `authority`.
 * @returns the names of a list, nothing for the others
 * @throws the Drive errors a local work would get
 */
export async function doDriveOperation(operation: DriveOperation, host: RelayHost, authority: DriveAuthority): Promise<string[] | undefined> {
  const { drive, op } = operation;
  if (op === "list") return authority.drives.driveList(drive, operation.prefix, operation.from);
  if (op === "delete") return void (await authority.drives.driveDelete(drive, operation.work, operation.path));
  const ref = { path: operation.path, origin: operation.work };
  // A work on the authority's own machine (a deployed flow's host): its root is already where the Drives are.
  const apart = host !== authority.relay;
  if (op === "put") {
    try {
      if (apart) await relayPath(ref, host, authority.relay);
    } catch (error) {
      if (!notFound(error)) throw error;
      throw new DriveNotFoundError(
        `lit://${drive.id}`,
        operation.path,
        `${operation.work} cannot put "${operation.path}" in the Drive lit://${drive.id}: there is no "${operation.path}" in its storage root on ${host.alias}. ` +
          `Write it there first (at String(new L.Path("${operation.path}"))).`,
      );
    }
    return void (await authority.drives.drivePut(drive, operation.work, operation.path));
  }
  await authority.drives.driveGet(drive, operation.work, operation.path, operation.from);
  if (apart) await relayPath(ref, authority.relay, host);
  return undefined;
}

function notFound(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.code === "E_PATH_NOT_FOUND") return true;
  return false;
}

/** How a failure crosses to the work: its code, message and the fields its class has. */
export function driveFailure(error: unknown): DriveFailure {
  const e = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown; drive?: unknown; path?: unknown; owner?: unknown };
  const str = (v: unknown, max: number) => (typeof v === "string" ? v.slice(0, max) : undefined);
  const out: DriveFailure = { name: str(e.name, 200) ?? "Error", message: str(e.message, 20_000) ?? String(error).slice(0, 20_000) };
  for (const [key, max] of [["code", 200], ["drive", 600], ["path", 4096], ["owner", 500]] as const) {
    const v = str(e[key], max);
    if (v !== undefined) out[key] = v;
  }
  return out;
}
