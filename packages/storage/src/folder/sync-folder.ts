import { join, resolve } from "node:path";
import { localDiskDriver } from "../drivers/local-disk.ts";
import { localRoot } from "../root.ts";
import type { StorageRoot } from "../root.ts";
import { sync } from "../sync.ts";
import type { SyncOptions, SyncReport } from "../sync.ts";
import { HttpError } from "../http/errors.ts";
import type { HttpRoot } from "../http/root.ts";
import { DEFAULT_IGNORED, ignoreFilter } from "./ignore-filter.ts";

function isHttpRoot(root: StorageRoot): root is HttpRoot {
  return typeof (root.store as Partial<HttpRoot["store"]>).client?.json === "function";
}

/** Options of {@link syncFolder}. */
export interface SyncFolderOptions extends Omit<SyncOptions, "target"> {
  /** Where the folder goes in the receiving root (relative); its top (`""`) by default. */
  readonly target?: string;
  /** More patterns to leave out (gitignore syntax, from the folder's top), beside `.git/` and `.lit/`. */
  readonly ignore?: readonly string[];
  /** The ignore files read in each folder; `.gitignore` then `.litignore` by default. */
  readonly ignoreFiles?: readonly string[];
}

/**
 * Makes a folder of this machine (an app's folder) present in a storage root,
 * usually another machine's (`httpRoot`), as real files, so that a command run
 * there finds them: what `.gitignore` and `.litignore` files leave out (and
 * `.git/`, `.lit/`) is not sent, and only content the other side lacks is.
 * To an agent (`httpRoot`) the folder goes in one push (see `pushFolder`):
 * an unchanged folder costs one request, a new one a single streamed batch
 * that the agent makes durable once and puts in place whole.
 * Unchanged files are not read again: their hashes are kept in
 * `<dir>/.lit/folder-sync/index.json`. Files deleted here are not deleted there.
 *
 * @example
 * const report = await syncFolder(appDir, httpRoot({ url, token }), { target: "app" });
 * report.filesWritten; // 0 when nothing changed
 */
export async function syncFolder(localDir: string, to: StorageRoot, options: SyncFolderOptions = {}): Promise<SyncReport> {
  const dir = resolve(localDir);
  const meta = join(dir, ".lit", "folder-sync");
  const filter = ignoreFilter(dir, { files: options.ignoreFiles, patterns: [...DEFAULT_IGNORED, ...(options.ignore ?? [])] });
  const from = localRoot(dir, { store: localDiskDriver(join(meta, "store")), indexFile: join(meta, "index.json"), filter });
  const { ignore: _ignore, ignoreFiles: _ignoreFiles, target, ...rest } = options;
  if (isHttpRoot(to)) {
    const { pushFolder } = await import("./push-folder.ts");
    try {
      return await pushFolder(from, to, target ?? "", { signal: options.signal, onProgress: options.onProgress, filter });
    } catch (err) {
      // An agent from before the folder routes: sync file by file.
      if (!(err instanceof HttpError && err.status === 404)) throw err;
    }
  }
  // Many small files in flight at once let a remote store take them in a few batches.
  return sync(from, to, "", { concurrency: 64, ...rest, target: target ?? "" });
}
