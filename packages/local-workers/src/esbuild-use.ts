/**
 * esbuild runs as a service process, shared by every build of this process:
 * it is stopped once the last build using it ended (it would otherwise wake
 * up to ping, and keep the process alive on some runtimes). The count of
 * builds in flight lives on `globalThis`, so that every copy of this module
 * (another package's, a bundle's) counts with the others: one that stopped the
 * service while another's build ran would leave that build waiting forever.
 */
type Esbuild = typeof import("esbuild");

const USERS = Symbol.for("lit-app.esbuildUsers");

function users(): { count: number } {
  const g = globalThis as unknown as Record<symbol, { count: number } | undefined>;
  return (g[USERS] ??= { count: 0 });
}

/** Runs `fn` with esbuild; the service stops when no `fn` runs any more, in this package or another. */
export async function withEsbuild<T>(fn: (esbuild: Esbuild) => Promise<T>): Promise<T> {
  const esbuild = await import("esbuild");
  const count = users();
  count.count++;
  try {
    return await fn(esbuild);
  } finally {
    if (--count.count === 0) await esbuild.stop();
  }
}
