/**
 * Removing an instance, found by its name prefix rather than remembered, so
 * the same code serves close() and the cleanup of runs that were killed:
 * every process in its namespaces or of its users (kill -9), its users and
 * homes, its folder, its namespaces, and last its record and bridge
 * namespace (the claim on its slot).
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { unmountUnder } from "./home-disk.ts";
import { defaultBaseDir, instanceNames, memoryBaseDir, namePrefix, recordDir, slotOf } from "./naming.ts";
import { deleteNamespace, listNamespaces, namespacePids } from "./network.ts";
import { killPids, processesOf, waitGone } from "./processes.ts";
import { ageOf, ownerAlive, readRecord, removeRecord } from "./record.ts";
import { deleteUser, listUsers } from "./users.ts";

/**
 * Removes everything of instance `slot`; `dir` is its folder (from its record,
 * or the default). With `keepClaim`, its record and bridge namespace stay (a
 * new instance clearing what a killed teardown of its slot left).
 */
export async function teardownInstance(slot: number, dir?: string, options: { keepClaim?: boolean } = {}): Promise<void> {
  const names = instanceNames(slot, defaultBaseDir);
  const prefix = `${names.id}-`;
  const record = readRecord(names.record);
  const folder = dir ?? record?.dir ?? names.dir;
  const namespaces = (await listNamespaces()).filter((ns) => ns.startsWith(prefix));
  const users = listUsers().filter((u) => u.name.startsWith(prefix));

  const pids = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const found: number[] = [];
    for (const ns of namespaces) if (ns !== names.bridgeNs) found.push(...(await namespacePids(ns)));
    for (const user of users) found.push(...processesOf(user.uid).map((p) => p.pid));
    if (found.length === 0) break;
    found.forEach((pid) => pids.add(pid));
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

/** A claim younger than this without a record is an instance being made, not a leftover. */
const settleMs = 60_000;

/**
 * Removes the leftovers of harnesses whose process is gone (killed runs):
 * instances whose owner died, and users, namespaces and folders with the
 * harness's prefix that belong to no claimed slot. Live instances and those
 * kept up by the CLI are left alone. Resolves with the ids removed.
 */
export async function cleanupStaleTestHosts(): Promise<string[]> {
  // Listed before the namespaces: a user or folder made after this listing belongs to a slot claimed before it.
  const users = listUsers().filter((u) => slotOf(u.name) !== undefined);
  const folders = [...instanceFolders(defaultBaseDir), ...instanceFolders(memoryBaseDir)];
  const namespaces = await listNamespaces();
  const claimed = new Set(namespaces.filter((ns) => /-br$/.test(ns)).map(slotOf).filter((s): s is number => s !== undefined));

  const removed: string[] = [];
  for (const slot of claimed) {
    const names = instanceNames(slot, defaultBaseDir);
    const record = readRecord(names.record);
    if (record ? ownerAlive(record) : ageOf(join("/run/netns", names.bridgeNs)) < settleMs) continue;
    await teardownInstance(slot);
    removed.push(names.id);
  }

  const orphans = new Set<number>();
  for (const user of users) orphans.add(slotOf(user.name)!);
  for (const ns of namespaces) if (slotOf(ns) !== undefined) orphans.add(slotOf(ns)!);
  for (const folder of folders) orphans.add(Number(folder.slice(namePrefix.length)));
  for (const slot of orphans) {
    if (claimed.has(slot)) continue;
    const names = instanceNames(slot, defaultBaseDir);
    for (const user of users.filter((u) => u.name.startsWith(`${names.id}-`))) {
      killPids(processesOf(user.uid).map((p) => p.pid));
      await unmountUnder(user.home);
      await deleteUser(user.name);
      rmSync(user.home, { recursive: true, force: true });
    }
    for (const ns of namespaces.filter((n) => n.startsWith(`${names.id}-`))) {
      killPids(await namespacePids(ns));
      await deleteNamespace(ns);
    }
    if (folders.includes(names.id)) {
      await unmountUnder(names.dir);
      rmSync(names.dir, { recursive: true, force: true });
      rmSync(names.memoryDir, { recursive: true, force: true });
    }
    removed.push(names.id);
  }
  return removed;
}

/** Removes every instance, live or not, including those kept up by the CLI. Resolves with the ids removed. */
export async function removeAllTestHosts(): Promise<string[]> {
  const slots = new Set<number>();
  for (const ns of await listNamespaces()) if (slotOf(ns) !== undefined) slots.add(slotOf(ns)!);
  for (const user of listUsers()) if (slotOf(user.name) !== undefined) slots.add(slotOf(user.name)!);
  try {
    for (const name of readdirSync(recordDir)) if (slotOf(`${name.replace(/\.json$/, "")}-`) !== undefined) slots.add(slotOf(`${name.replace(/\.json$/, "")}-`)!);
  } catch {
    // no records
  }
  for (const slot of slots) await teardownInstance(slot);
  return [...slots].map((slot) => `${namePrefix}${slot}`);
}
