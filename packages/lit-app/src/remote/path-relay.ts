/**
 * Paths between hosts: before a call reaches a work on one host, each Path
 * it carries (in its arguments, or in fields the flow set) whose origin work
 * runs on another host is synced from the origin's storage root there into
 * the same root on the receiving host, so that the receiving work finds the
 * origin's copy as it would on one machine. The works' storage roots on a
 * host live in its agent's storage root (`<lit home>/storage/apps/<app>`),
 * which the agent serves at `/v1/storage`: the storage engine's `sync`
 * between the two agents sends only the blobs the receiver lacks, streamed
 * from one SSH connection into the other without landing on this machine's
 * disk; the receiver verifies each blob and applies the tree atomically.
 */
import { readdir, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { JsonValue } from "@lit-app/core";
// The storage engine is loaded when a Path first crosses: runs without --host never load it from here.
import type { StorageRoot, SyncReport } from "@lit-app/storage";

/** A Path as it crosses: its path in the origin's root, and the origin work. */
export interface PathRef {
  path: string;
  origin: string;
}

/** A host's agent storage, and where the app's works keep their roots in it. */
export interface HostStorage {
  /** The agent's storage root, reached through the host's SSH connection. */
  root: StorageRoot;
  /** The folder of the app's works' roots, relative to `root` (`apps/<app>`; empty: the root itself). */
  appDir: string;
}

/** What the relay needs of a host (or of this machine: {@link localRelayHost}). */
export interface RelayHost {
  alias: string;
  /** The host's storage (the host prepared first). */
  storage(): Promise<HostStorage>;
  /** Called once when the run ends: removes what relaying left that nothing needs. */
  close?(): Promise<void>;
}

/** A local storage root's metadata folder (the storage engine's META_DIR). */
const META = ".lit-storage";
const SAFE_PATH = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[^\0\n\\]{1,4096}$/;
/** Work names whose storage folder is the name itself (`root.producer`). */
const SAFE_WORK = /^(?!\.+$)[A-Za-z0-9_.-]{1,500}$/;

/** Where a Payload's bytes are in its origin's storage root (as `@lit-app/storage/local` keeps them). */
const PAYLOAD_FILE = (hash: string) => `.lit-payloads/${hash}`;
const HASH = /^[0-9a-f]{64}$/;

/**
 * The Paths (with an origin) in encoded state: `{ "$lit": "Path", path, origin }`
 * anywhere inside, and the file of each Payload (`{ "$lit": "Payload", hash, origin }`):
 * its bytes cross between hosts as a Path's do.
 */
export function pathsIn(value: JsonValue | undefined, out: PathRef[] = []): PathRef[] {
  if (value === null || typeof value !== "object") return out;
  if (Array.isArray(value)) {
    for (const v of value) pathsIn(v, out);
    return out;
  }
  if (value.$lit === "Path" && typeof value.path === "string" && typeof value.origin === "string") {
    out.push({ path: value.path, origin: value.origin });
    return out;
  }
  if (value.$lit === "Payload" && typeof value.hash === "string" && HASH.test(value.hash) && typeof value.origin === "string") {
    out.push({ path: PAYLOAD_FILE(value.hash), origin: value.origin });
    return out;
  }
  for (const v of Object.values(value)) pathsIn(v, out);
  return out;
}

/**
 * Syncs `ref` (a file or a folder) from the origin's storage root on `from`
 * to the same root on `to`: only the blobs `to` lacks are sent (an unchanged
 * Path sends nothing).
 * @throws naming both hosts and the Path when the sync fails
 */
export async function relayPath(ref: PathRef, from: RelayHost, to: RelayHost): Promise<SyncReport> {
  if (!SAFE_PATH.test(ref.path) || !SAFE_WORK.test(ref.origin)) throw new Error(`the Path ${JSON.stringify(ref.path)} of ${ref.origin} cannot be sent between hosts (unexpected characters in its name)`);
  const [a, b] = await Promise.all([from.storage(), to.storage()]);
  const inRoot = (appDir: string) => [appDir, ref.origin, ref.path.replace(/\/+$/, "")].filter(Boolean).join("/");
  try {
    const { sync } = await import("@lit-app/storage");
    return await sync(a.root, b.root, inRoot(a.appDir), { target: inRoot(b.appDir) });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`the Path ${JSON.stringify(ref.path)} of ${ref.origin} could not be sent from ${from.alias} to ${to.alias}: ${why}`, { cause: error });
  }
}

/**
 * This machine as the relay reaches it: the storage root of the app's local
 * works (`appStorageDir`, as their processes and threads find it), for Paths
 * between a work here and a work on a host. Relaying makes the root's
 * metadata (`.lit-storage`: its index and blob store) in the app's storage
 * folder; {@link RelayHost.close} removes it when nothing else is left there,
 * and then the folders lit-app made above it (`.lit/storage`, `.lit`) when empty.
 */
export function localRelayHost(appModule: string, appName: string): RelayHost {
  let storage: Promise<HostStorage> | undefined;
  const href = pathToFileURL(appModule).href;
  return {
    alias: "this machine",
    storage: () =>
      (storage ??= Promise.all([import("@lit-app/storage"), import("@lit-app/storage/local")]).then(([{ localRoot }, { appStorageDir }]) => {
        return { root: localRoot(appStorageDir(href, appName)), appDir: "" };
      })),
    close: async () => {
      if (!storage) return;
      const { appStorageDir, madeStorageParents } = await import("@lit-app/storage/local");
      const dir = appStorageDir(href, appName);
      const entries = await readdir(dir).catch(() => undefined);
      if (!entries || entries.some((name) => name !== META)) return;
      await rm(join(dir, META), { recursive: true, force: true });
      for (const folder of [dir, ...madeStorageParents(href)]) {
        if (!(await rmdir(folder).then(() => true, (e: { code?: string }) => e.code === "ENOENT"))) return;
      }
    },
  };
}
