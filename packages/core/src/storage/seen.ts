/**
 * Whether any Path, Drive or Payload was ever made in this thread: until one
 * is, preparing a call (walking its arguments and the work's fields) is skipped.
 */
let seen = false;

/** Called by the constructors of Path, Drive and Payload. */
export function markStorageValue(): void {
  seen = true;
}

/** True once a Path, Drive or Payload was made (or decoded) in this thread. */
export function storageValuesExist(): boolean {
  return seen;
}
