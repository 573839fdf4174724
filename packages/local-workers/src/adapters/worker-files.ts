/**
 * Files that works' threads need while their executor runs (on Node, the
 * bundle of the work program), released when the executor closes: not when
 * each thread's exit is reported, which may come after the app has ended.
 */
const held = new Map<object, (() => void)[]>();

/** Keeps a file in use until `owner` (an executor) calls {@link releaseWorkerFiles}. */
export function holdForOwner(owner: object, release: () => void): void {
  const releases = held.get(owner);
  if (releases) releases.push(release);
  else held.set(owner, [release]);
}

/** Releases every file `owner`'s threads used: called once they have all been ended. */
export function releaseWorkerFiles(owner: object): void {
  const releases = held.get(owner) ?? [];
  held.delete(owner);
  for (const release of releases) release();
}
