/**
 * Removing an instance, found by its name prefix rather than remembered, so
 * the same code serves close(), the CLI's `down` and the cleanup of runs that
 * were killed: every process in its namespaces or of its users (kill -9), its
 * mounts, users and homes, its folders, its namespaces, and last its record
 * and bridge namespace (the claim on its slot).
 *
 * Two removals of one slot never interleave: each holds the slot's teardown
 * lock (a folder made with mkdir), and a cleanup decides that an instance is
 * stale again once it holds the lock. Leftovers of a slot nobody claims are
 * removed after claiming the slot, so no new instance can be made there meanwhile.
 */
import { mkdirSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { unmountUnder } from "./home-disk.ts";
import { defaultBaseDir, instanceNames, memoryBaseDir, namePrefix, recordDir, slotOf, type InstanceNames } from "./naming.ts";
import { addNamespace, deleteNamespace, listNamespaces, namespacePids } from "./network.ts";
import { killPids, processesOf, waitGone } from "./processes.ts";
import { ageOf, ownerAlive, readRecord, removeRecord } from "./record.ts";
import { deleteUser, listUsers } from "./users.ts";

/** A claim younger than this without a record is an instance being made, not a leftover. */
const settleMs = 60_000;
/** A teardown lock older than this belongs to a teardown that was killed. */
const lockStaleMs = 10 * 60_000;

/** Whether instance `names` is a leftover: its owner is gone, or its claim never got a record. */
function isStale(names: InstanceNames): boolean {
  const record = readRecord(names.record);
  return record ? !ownerAlive(record) : ageOf(join("/run/netns", names.bridgeNs)) >= settleMs;
}

/** Takes the slot's teardown lock; waits for it up to `waitMs` (0: not at all). */
async function lock(names: InstanceNames, waitMs: number): Promise<string | undefined> {
  const dir = join(recordDir, `${names.id}.teardown`);
  mkdirSync(recordDir, { recursive: true, mode: 0o700 });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(dir);
      return dir;
    } catch {
      if (ageOf(dir) > lockStaleMs) rmSync(dir, { recursive: true, force: true });
      else if (Date.now() >= deadline) return undefined;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Options of {@link teardownInstance}. */
export interface TeardownOptions {
  /** The instance folder, when it is not the record's or the default. */
  readonly dir?: string;
  /** Keep the record and the bridge namespace (a new instance clearing what a killed teardown of its slot left). */
  readonly keepClaim?: boolean;
  /** Remove it only if it is still stale once the lock is held; skip when another removal holds the lock. */
  readonly onlyIfStale?: boolean;
  /** Remove it only if its record still has this token (a close() after `down` must not remove a later instance of the slot). */
  readonly token?: string;
}

/** Removes everything of instance `slot`. Resolves with false when it skipped (see {@link TeardownOptions.onlyIfStale}). */
export async function teardownInstance(slot: number, options: TeardownOptions = {}): Promise<boolean> {
  const names = instanceNames(slot, defaultBaseDir);
  const held = await lock(names, options.onlyIfStale ? 0 : 60_000);
  if (!held) {
    if (options.onlyIfStale) return false;
    throw new Error(`[test-hosts] [${names.id}] another removal of this instance holds ${join(recordDir, `${names.id}.teardown`)} for over a minute`);
  }
  try {
    if (options.onlyIfStale && !isStale(names)) return false;
    if (options.token !== undefined && readRecord(names.record)?.token !== options.token) return false;
    await removeEverything(names, options);
    return true;
  } finally {
    rmdirSync(held);
  }
}

async function removeEverything(names: InstanceNames, options: TeardownOptions): Promise<void> {
  const prefix = `${names.id}-`;
  const folder = options.dir ?? readRecord(names.record)?.dir ?? names.dir;
  const namespaces = (await listNamespaces()).filter((ns) => ns.startsWith(prefix));
  const users = listUsers().filter((u) => u.name.startsWith(prefix));

  for (let round = 0; round < 20; round++) {
    const found: number[] = [];
    for (const ns of namespaces) if (ns !== names.bridgeNs) found.push(...(await namespacePids(ns)));
    for (const user of users) found.push(...processesOf(user.uid).map((p) => p.pid));
    if (found.length === 0) break;
    killPids(found);
    await waitGone(found, names.id);
  }

  await unmountUnder(folder);
  for (const user of users) {
    await unmountUnder(user.home);
    await deleteUser(user.name);
    rmSync(user.home, { recursive: true, force: true });
  }
  rmSync(folder, { recursive: true, force: true });
  rmSync(names.memoryDir, { recursive: true, force: true });
  for (const ns of namespaces) if (ns !== names.bridgeNs) await deleteNamespace(ns);
  if (options.keepClaim) return;
  removeRecord(names.record);
  await deleteNamespace(names.bridgeNs);
}

/** The instance folder names ("litth7") in `base`. */
function instanceFolders(base: string): string[] {
  try {
    return readdirSync(base).filter((name) => new RegExp(`^${namePrefix}\\d+$`).test(name));
  } catch {
    return [];
  }
}

/**
 * Removes the leftovers of harnesses whose process is gone (killed runs):
 * instances whose owner died, and users, namespaces and folders with the
 * harness's prefix that belong to no claimed slot. Live instances and those
 * kept up by the CLI are left alone. Resolves with the ids removed.
 */
export async function cleanupStaleTestHosts(): Promise<string[]> {
  const namespaces = await listNamespaces();
  const claimed = new Set(namespaces.filter((ns) => ns.endsWith("-br")).map(slotOf).filter((s): s is number => s !== undefined));
  const removed: string[] = [];
  for (const slot of claimed) {
    const names = instanceNames(slot, defaultBaseDir);
    if (isStale(names) && (await teardownInstance(slot, { onlyIfStale: true }))) removed.push(names.id);
  }

  const unclaimed = new Set<number>();
  const names = [...namespaces, ...listUsers().map((u) => u.name), ...[...instanceFolders(defaultBaseDir), ...instanceFolders(memoryBaseDir)].map((f) => `${f}-`)];
  for (const name of names) {
    const slot = slotOf(name);
    if (slot !== undefined && !claimed.has(slot)) unclaimed.add(slot);
  }
  for (const slot of unclaimed) {
    const slotNames = instanceNames(slot, defaultBaseDir);
    try {
      await addNamespace(slotNames.bridgeNs); // the slot is ours now, or someone claimed it meanwhile
    } catch {
      continue;
    }
    await teardownInstance(slot);
    removed.push(slotNames.id);
  }
  return removed;
}

/** Removes every instance, live or not, including those kept up by the CLI. Resolves with the ids removed. */
export async function removeAllTestHosts(): Promise<string[]> {
  const slots = new Set<number>();
  for (const ns of await listNamespaces()) if (slotOf(ns) !== undefined) slots.add(slotOf(ns)!);
  for (const user of listUsers()) if (slotOf(user.name) !== undefined) slots.add(slotOf(user.name)!);
  try {
    for (const name of readdirSync(recordDir)) {
      const slot = slotOf(`${name.replace(/\.json$/, "")}-`);
      if (slot !== undefined) slots.add(slot);
    }
  } catch {
    // no records
  }
  for (const slot of slots) await teardownInstance(slot);
  return [...slots].map((slot) => `${namePrefix}${slot}`);
}
