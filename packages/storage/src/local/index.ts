/**
 * `@lit-app/storage/local`: the storage of an app's works on this machine,
 * the `StoragePort` of `@lit-app/core` served from folders. One storage root
 * per work, Paths and Payloads copied between roots with the transfer engine
 * (loaded on first use, so a process that only serves a work's own files does
 * not load it), and Drives under `.drives`. Any host of works (a worker
 * thread, a child process, a remote agent) serves it the same way.
 *
 * @example
 * import { appStorageDir, LocalStorage } from "@lit-app/storage/local";
 * const storage = new LocalStorage(appStorageDir(import.meta.url, "my-app"));
 */
export { LocalStorage, type LocalStorageOptions, type TransferReport } from "./local-storage.ts";
export { appStorageDir, madeStorageParents } from "./storage-dir.ts";
