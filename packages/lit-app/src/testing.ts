/** Test helpers for lit-app apps: drive an app pass by pass with a fake clock, works' files in a folder. */
export * from "@lit-app/core/testing";
export { LocalStorage, type LocalStorageOptions, type TransferReport } from "@lit-app/storage/local";
