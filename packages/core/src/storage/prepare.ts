/**
 * Before a work's `run()` starts, on the work's side: the Paths, Drives and
 * Payloads it receives (in its arguments, or in fields the flow set) are
 * bound to it, the files of Paths other works wrote are made present in its
 * storage root, and Payloads are read.
 */
import { StorageUnavailableError } from "../errors.ts";
import type { StoragePort } from "../ports.ts";
import type { StateOwner } from "../state-value.ts";
import { attachDrive, Drive } from "./drive.ts";
import { attachPath, Path } from "./path.ts";
import { attachPayload, isPayloadLoaded, loadPayload, Payload } from "./payload.ts";
import { storageValuesExist } from "./seen.ts";

interface Found {
  paths: Path[];
  payloads: Payload[];
}

function collect(value: unknown, work: StateOwner, found: Found, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 64) return;
  if (value instanceof Path) {
    attachPath(value, work);
    found.paths.push(value);
  } else if (value instanceof Payload) {
    attachPayload(value, work);
    found.payloads.push(value);
  } else if (value instanceof Drive) {
    attachDrive(value, work);
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, work, found, depth + 1);
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return;
    for (const item of Object.values(value)) collect(item, work, found, depth + 1);
  }
}

/**
 * Prepares one call of `work`'s `run()`: binds what it receives to it, makes
 * Paths written by other works present in its storage root (all at once), and
 * reads the Payloads that are not loaded yet.
 * @param fields the work's raw fields (public ones are looked at).
 * @param args the decoded arguments of the call.
 * @throws MissingPathError when a Path's origin has not written it;
 *   StorageUnavailableError when something must be fetched and there is no storage.
 */
export async function prepareRun(
  work: StateOwner,
  fields: Record<string, unknown>,
  args: readonly unknown[],
  storage: StoragePort | undefined,
): Promise<void> {
  if (!storageValuesExist()) return;
  const found: Found = { paths: [], payloads: [] };
  for (const arg of args) collect(arg, work, found);
  for (const key of Object.keys(fields)) if (!key.startsWith("_")) collect(fields[key], work, found);
  const name = work.name;
  const wanted = new Map<string, { path: string; origin: string }>();
  for (const path of found.paths) {
    const origin = path.origin;
    if (origin !== null && origin !== name) wanted.set(`${origin}\n${path.path}`, { path: path.path, origin });
  }
  const payloads = found.payloads.filter((p) => !isPayloadLoaded(p));
  if (wanted.size === 0 && payloads.length === 0) return;
  if (!storage) {
    const first = [...wanted.values()][0];
    throw new StorageUnavailableError(
      `${name} receives ${first ? `the Path "${first.path}" from ${first.origin}` : "a Payload"}, but its executor has no storage to fetch it with. ` +
        `Under lit-app/testing, give TestApp a storage: new TestApp(app, { storage: new LocalStorage(dir) }).`,
    );
  }
  await Promise.all([
    ...[...wanted.values()].map((path) => storage.materialize(path, name)),
    ...payloads.map((payload) => loadPayload(payload, work, storage)),
  ]);
}
