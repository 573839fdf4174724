/**
 * esbuild runs as a service process, shared by every build of this process:
 * it is stopped once the last build using it ended (it would otherwise keep
 * the process alive on some runtimes). The same rule as local-workers' builds.
 */
type Esbuild = typeof import("esbuild");

let users = 0;

/** Runs `fn` with esbuild; the service stops when no `fn` runs any more. */
export async function withEsbuild<T>(fn: (esbuild: Esbuild) => Promise<T>): Promise<T> {
  const esbuild = await import("esbuild");
  users++;
  try {
    return await fn(esbuild);
  } finally {
    if (--users === 0) await esbuild.stop();
  }
}
