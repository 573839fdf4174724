/**
 * @lit-app/storage: content-addressed blob storage and the transfer engine
 * that moves files and folders between storage roots.
 *
 * @example
 * import { localRoot, sync } from "@lit-app/storage";
 * const report = await sync(localRoot("/runs/a"), localRoot("/runs/b"), "checkpoints");
 * console.log(`${report.bytesSent} of ${report.bytesTotal} bytes sent`);
 *
 * Drivers run the shared conformance suite from `@lit-app/storage/testing`.
 */
export type { BlobInfo, Driver, ReadOptions, WriteOptions } from "./driver.ts";
export { localDiskDriver } from "./drivers/local-disk.ts";
export type { LocalDiskDriver, LocalDiskOptions } from "./drivers/local-disk.ts";
export { localRoot } from "./root.ts";
export type { LocalRoot, LocalRootOptions, StorageRoot } from "./root.ts";
export type { ApplyOptions, ApplyReport } from "./apply.ts";
export { sync } from "./sync.ts";
export type { SyncOptions, SyncProgress, SyncReport } from "./sync.ts";
export type { ScanFilter } from "./scan.ts";
export { syncFolder } from "./folder/sync-folder.ts";
export type { SyncFolderOptions } from "./folder/sync-folder.ts";
export { DEFAULT_IGNORED, ignoreFilter } from "./folder/ignore-filter.ts";
export type { IgnoreFilterOptions } from "./folder/ignore-filter.ts";
export { isIgnored, parseIgnoreFile } from "./folder/gitignore.ts";
export type { IgnoreRule } from "./folder/gitignore.ts";
export { parseManifest } from "./manifest.ts";
export type { DirEntry, FileEntry, Manifest, ManifestEntry, SymlinkEntry } from "./manifest.ts";
export { checkRelativePath, META_DIR } from "./safe-path.ts";
export { hashBytes, hashStream, isBlobHash } from "./hash.ts";
export { putBytes, getBytes } from "./bytes.ts";
export {
  BlobNotFoundError,
  CorruptionError,
  IntegrityError,
  InvalidHashError,
  ManifestError,
  NoSpaceError,
  PathConflictError,
  PathNotFoundError,
  RangeNotSatisfiableError,
  ResumeError,
  SourceChangedError,
  StorageError,
  StorageIOError,
  SymlinkEscapeError,
  TransferAbortedError,
  UnsafePathError,
  isNoSpace,
} from "./errors.ts";
export type { StorageErrorCode } from "./errors.ts";
