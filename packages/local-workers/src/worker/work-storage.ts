/**
 * The storage of a work's side (its Paths, Payloads and Drives), loaded when
 * the work first uses it. `@lit-app/storage/local` needs node:crypto,
 * node:fs/promises and more, which a Bun worker thread compiles afresh
 * (~15 ms each): most works never touch their storage, and a thousand works
 * should not pay for it. On Bun the module is loaded then, synchronously
 * (`localPath`, `exists` and `savePayload` are synchronous); on Node (one
 * bundle per app) and Deno, at start, as before.
 */
import type { DriveSpec, StoragePort } from "@lit-app/core/internal";
import { runtimeKind } from "@lit-app/runtime";
import type { LocalStorage } from "@lit-app/storage/local";
import { builtFrom } from "./built-from.ts";
import { driveAuthorityFor } from "./drive-authority.ts";

type StorageModule = typeof import("@lit-app/storage/local");

/** Where the work's storage is: the app's module (a file URL) and name, and the folder the user gave, if any. */
export interface WorkStorageOptions {
  appModule: string;
  appName: string;
  storageDir: string | undefined;
}

/** The storage of one work's side, and the clean-up of its folders. */
export interface WorkStorage {
  /** What the work's Paths, Payloads and Drives use. */
  readonly port: StoragePort;
  /**
   * Removes `work`'s storage root (and the roots of works that only reading
   * from them made here), and the folders lit-app made above them, where
   * nothing was left in them.
   */
  release(work: string): void;
}

/**
 * The storage of a work: loaded at the first call of its port on Bun, now on
 * Node and Deno (where loading it is cheap, or cannot be done synchronously).
 */
export async function workStorage(options: WorkStorageOptions): Promise<WorkStorage> {
  if (runtimeKind() === "bun") return lazyStorage(options, () => process.getBuiltinModule("node:module").createRequire(builtFrom() ?? import.meta.url)("@lit-app/storage/local") as StorageModule);
  const loaded = (await import("@lit-app/storage/local")) as StorageModule;
  return lazyStorage(options, () => loaded);
}

function lazyStorage(options: WorkStorageOptions, load: () => StorageModule): WorkStorage {
  let storage: LocalStorage | undefined;
  let local: StorageModule | undefined;
  /** Roots of other works that reading from them made here (they did not exist): removed with this work's when empty. */
  const madeForOthers = new Set<string>();
  const open = (): LocalStorage => {
    if (storage) return storage;
    local = load();
    storage = new local.LocalStorage(options.storageDir ?? local.appStorageDir(options.appModule, options.appName));
    return storage;
  };
  // A work on another host than its flow: its Drives are the authority's (see drive-authority.ts).
  const drives = driveAuthorityFor({ ...options, local: () => open() });
  const port: StoragePort = {
    localPath: (work, path) => open().localPath(work, path),
    exists: (work, path) => open().exists(work, path),
    materialize: async (path, intoWork) => {
      const opened = open();
      // A work that never wrote its root (it failed first) has none: reading from it makes it, and nothing else would remove it.
      if (!process.getBuiltinModule("node:fs").existsSync(opened.workDir(path.origin))) madeForOthers.add(path.origin);
      return opened.materialize(path, intoWork);
    },
    savePayload: (work, bytes) => open().savePayload(work, bytes),
    loadPayload: async (payload, intoWork) => open().loadPayload(payload, intoWork),
    drivePut: async (drive: DriveSpec, work, path) => (drives ?? open()).drivePut(drive, work, path),
    driveGet: async (drive: DriveSpec, work, path, from) => (drives ?? open()).driveGet(drive, work, path, from),
    driveList: async (drive: DriveSpec, prefix, from) => (drives ?? open()).driveList(drive, prefix, from),
    driveDelete: async (drive: DriveSpec, work, path) => (drives ?? open()).driveDelete(drive, work, path),
  };
  return {
    port,
    release(work) {
      // Never opened here: this side made no folder.
      if (!storage || !local) return;
      for (const other of madeForOthers) if (other !== work) storage.removeIfEmpty(other);
      // The folders lit-app made beside the app go once empty; a storage folder given by the user stays.
      storage.removeIfEmpty(work, options.storageDir ? [] : local.madeStorageParents(options.appModule));
    },
  };
}
