/**
 * The names of one harness instance. Every namespace, Unix user and folder of
 * instance `litth<N>` starts with that id, so leftovers of a killed run are
 * found by prefix, and parallel test files (each with its own N) never collide.
 */
import { join } from "node:path";

/** The prefix of every name the harness makes. */
export const namePrefix = "litth";

/** Where instance records live: one small JSON file per live instance (a tmpfs, like the namespaces). */
export const recordDir = "/run/lit-test-hosts";

/** The default parent folder of instance folders (homes, sshd configs, the laptop's home). */
export const defaultBaseDir = "/tmp/lit-test-hosts";

/**
 * The parent of instances' in-memory folders (the POSIX programs folder: a
 * thousand links, which take seconds to make on a busy disk and milliseconds on tmpfs).
 */
export const memoryBaseDir = "/dev/shm/lit-test-hosts";

/** Host names: what `Host` in ~/.ssh/config holds and what the Unix user and namespace names end with. */
export const hostNamePattern = /^[a-z][a-z0-9-]{0,19}$/;

/** The names of instance slot `slot` (0–255). */
export function instanceNames(slot: number, baseDir: string) {
  const id = `${namePrefix}${slot}`;
  return {
    id,
    slot,
    /** The first three octets of the instance's /24. */
    subnetPrefix: `10.213.${slot}`,
    bridgeNs: `${id}-br`,
    laptopNs: `${id}-laptop`,
    hostNs: (host: string) => `${id}-h-${host}`,
    user: (host: string) => `${id}-${host}`,
    dir: join(baseDir, id),
    memoryDir: join(memoryBaseDir, id),
    record: join(recordDir, `${id}.json`),
  };
}

/** The names of one instance. */
export type InstanceNames = ReturnType<typeof instanceNames>;

/** The slot of a name the harness made (a namespace or user), or undefined for any other name. */
export function slotOf(name: string): number | undefined {
  const match = /^litth(\d{1,3})-/.exec(name);
  if (!match) return undefined;
  const slot = Number(match[1]);
  return slot <= 255 ? slot : undefined;
}
